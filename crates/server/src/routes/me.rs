//! `GET /api/v1/me`: who the caller is and what their role may do.
//!
//! The web UI shows the signed-in user and hides what the role may not use; the actions
//! come from the safeguards' `MATRIX` ([`corridor_safeguards::is_allowed`]), so the UI holds
//! no list of roles of its own and the server still decides every request.

use axum::Json;
use axum::extract::Extension;
use corridor_safeguards::{Action, Principal, is_allowed};
use serde::Serialize;

/// The body of `GET /api/v1/me`.
#[derive(Debug, Serialize)]
pub(crate) struct Me {
    user: String,
    role: &'static str,
    agency: String,
    /// For partners: the sharing agreement that governs what they see.
    agreement: Option<String>,
    /// Every action the role may perform, in the matrix's order.
    actions: Vec<&'static str>,
}

pub(crate) async fn get_me(Extension(principal): Extension<Principal>) -> Json<Me> {
    let actions = Action::ALL
        .into_iter()
        .filter(|action| is_allowed(principal.role, *action))
        .map(|action| action.as_str())
        .collect();
    Json(Me {
        user: principal.user,
        role: principal.role.as_str(),
        agency: principal.agency,
        agreement: principal.agreement,
        actions,
    })
}
