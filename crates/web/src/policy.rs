//! Deny by default (AUTHZ-01): every route is registered with the policy it needs, in one
//! table that the request middleware consults after routing. A route missing from the table
//! is refused, so a handler added without a policy can never run; the authorization test
//! reads this same table to enumerate every route.

use std::collections::HashMap;

use axum::http::Method;
use axum::routing::MethodRouter;
use axum::Router;
use rempart_domain::authz::Permission;

use crate::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// Anyone, signed in or not (login page, health checks, static files).
    Public,
    /// Any signed-in person who has completed every sign-in step (their home, their profile).
    SignedIn,
    /// A signed-in person at any sign-in step: the pages of the steps themselves (password
    /// change, second factor) and logout. Each handler checks the step it serves.
    AnyStage,
    /// A signed-in person who holds the permission on at least one organization; which
    /// organizations is then decided in the query.
    Needs(Permission),
}

/// One route of the application and what it needs.
#[derive(Debug, Clone)]
pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    pub policy: Policy,
}

#[derive(Debug, Clone, Default)]
pub struct PolicyTable {
    routes: HashMap<(Method, &'static str), Policy>,
    ordered: Vec<RouteSpec>,
}

impl PolicyTable {
    pub fn lookup(&self, method: &Method, path: &str) -> Option<Policy> {
        // HEAD is answered by GET handlers and needs what GET needs.
        let method = if method == Method::HEAD {
            &Method::GET
        } else {
            method
        };
        self.routes.get(&(method.clone(), path)).copied()
    }

    pub fn routes(&self) -> &[RouteSpec] {
        &self.ordered
    }
}

/// Builds the router and its policy table together, so that neither can drift.
pub struct Routes {
    router: Router<AppState>,
    table: PolicyTable,
}

impl Default for Routes {
    fn default() -> Self {
        Self::new()
    }
}

impl Routes {
    pub fn new() -> Self {
        Self {
            router: Router::new(),
            table: PolicyTable::default(),
        }
    }

    pub fn route(
        mut self,
        method: Method,
        path: &'static str,
        policy: Policy,
        handler: MethodRouter<AppState>,
    ) -> Self {
        self.table.routes.insert((method.clone(), path), policy);
        self.table.ordered.push(RouteSpec {
            method,
            path,
            policy,
        });
        self.router = self.router.route(path, handler);
        self
    }

    pub fn get(self, path: &'static str, policy: Policy, handler: MethodRouter<AppState>) -> Self {
        self.route(Method::GET, path, policy, handler)
    }

    pub fn post(self, path: &'static str, policy: Policy, handler: MethodRouter<AppState>) -> Self {
        self.route(Method::POST, path, policy, handler)
    }

    /// For tests that prove a route without a policy is refused: adds a handler to the router
    /// while leaving the table unaware of it.
    pub fn unregistered(mut self, path: &'static str, handler: MethodRouter<AppState>) -> Self {
        self.router = self.router.route(path, handler);
        self
    }

    pub fn into_parts(self) -> (Router<AppState>, PolicyTable) {
        (self.router, self.table)
    }
}
