//! `corridor serve` end to end: the real binary on loopback.

use corridor_testkit::TestServer;
use corridor_testkit::reads::{ReadGen, cameras_json};

#[test]
fn serve_prints_its_url_ingests_and_stops_gracefully() {
    let mut server = TestServer::start(env!("CARGO_BIN_EXE_corridor")).expect("server starts");
    let url = server.url().to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert!(!url.ends_with(":0"), "the real port is printed: {url}");
    assert_eq!(
        server.client().get_json("/health").unwrap().json["status"],
        "ok"
    );
    let anonymous = server.client().get_json("/api/v1/cameras").unwrap();
    assert_eq!(anonymous.status, 401, "{}", anonymous.text);
    assert_eq!(anonymous.json["error"]["code"], "unauthenticated");
    let client = server.client_as("operator");
    let reply = client
        .put_json("/api/v1/cameras", &cameras_json(5))
        .unwrap();
    assert_eq!(reply.status, 200, "{}", reply.text);

    let mut reads = ReadGen::new(11, 3, 5, "e2e");
    let (plate, country) = reads.plates()[0].clone();
    let batch = reads.json_batch(60);
    let reply = client
        .post("/api/v1/reads", "application/json", batch.body)
        .unwrap();
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json["n_new"], 60);
    let path = format!("/api/v1/history?plate={plate}&country={country}");
    let refused = client.get_json(&path).unwrap();
    assert_eq!(
        refused.status, 403,
        "operators do not search: {}",
        refused.text
    );
    let before = server.client_as("analyst").get_json(&path).unwrap();
    let n_reads = before.json["n_reads"].as_u64().expect("n_reads");
    assert!(n_reads > 0, "{}", before.text);

    let status = server.stop().expect("SIGTERM stops the server");
    assert!(status.success(), "graceful shutdown exits 0: {status}");
    server.restart().expect("restart");
    let after = server.client_as("analyst").get_json(&path).unwrap();
    assert_eq!(after.json["reads"], before.json["reads"]);
    let metrics = server.client_as("auditor").get_json("/metrics").unwrap();
    let expected = format!("corridor_store_reads {}", 60);
    assert!(
        metrics.text.lines().any(|line| line == expected),
        "{}",
        metrics.text
    );
}

#[test]
fn serve_refuses_an_address_it_cannot_bind() {
    let holder = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = holder.local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_corridor"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--data"])
        .arg(dir.path().join("data"))
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("cannot listen on 127.0.0.1:{port}")),
        "{stderr}"
    );
}

#[test]
fn users_add_prints_a_token_that_the_restarted_server_accepts() {
    let mut server = TestServer::start(env!("CARGO_BIN_EXE_corridor")).expect("server starts");
    let token = server.add_user("ana", "analyst").expect("users add");
    assert!(token.starts_with("crd_"), "{token}");
    // The server reads the user directory when it starts.
    server.restart().expect("restart");
    let reply = server
        .client()
        .with_bearer(&token)
        .get_json("/api/v1/cameras")
        .unwrap();
    assert_eq!(reply.status, 200, "{}", reply.text);

    let partner = server.users_add(&["--name", "p", "--role", "partner", "--agency", "KMar"]);
    let error = partner
        .expect_err("a partner needs an agreement")
        .to_string();
    assert!(error.contains("agreement"), "{error}");
    let role = server.users_add(&["--name", "q", "--role", "chief", "--agency", "KMar"]);
    assert!(role.is_err());
}
