//! How every route is registered: the actix resource, and a row in a table of `(method, path)`. actix-web cannot
//! list its routes, and the authorization test walks this table, so a route added here cannot be left out of it.

use std::fmt;

use actix_web::http::Method;
use actix_web::web::{self, ServiceConfig};
use actix_web::{FromRequest, Handler, HttpResponse, Resource, Responder};

use crate::web::kit::error::AppError;

/// One route of the site: a method and the full path pattern, such as `/contests/{slug}/challenges/{challenge}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RouteInfo {
    pub method: Method,
    pub path: String,
}

impl fmt::Display for RouteInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.path)
    }
}

/// A path and the handlers of its methods, not yet registered.
pub struct Endpoint {
    path: &'static str,
    resource: Resource,
    methods: Vec<Method>,
}

/// A path with no methods yet. A method it does not take answers 405 with a message (actix-web would fall
/// through to the 404 of the whole site).
pub fn endpoint(path: &'static str) -> Endpoint {
    Endpoint { path, resource: web::resource(path).default_service(web::to(method_not_allowed)), methods: Vec::new() }
}

impl Endpoint {
    pub fn get<F, Args>(self, handler: F) -> Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.on(Method::GET, handler)
    }

    pub fn post<F, Args>(self, handler: F) -> Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.on(Method::POST, handler)
    }

    fn on<F, Args>(mut self, method: Method, handler: F) -> Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.resource = self.resource.route(web::method(method.clone()).to(handler));
        self.methods.push(method);
        self
    }
}

async fn method_not_allowed() -> Result<HttpResponse, AppError> {
    Err(AppError::Status(actix_web::http::StatusCode::METHOD_NOT_ALLOWED))
}

/// Where routes go: the actix configuration, the path prefix of the scope being filled, and the table.
pub struct Routes<'a> {
    cfg: &'a mut ServiceConfig,
    prefix: String,
    table: &'a mut Vec<RouteInfo>,
}

impl<'a> Routes<'a> {
    pub fn new(cfg: &'a mut ServiceConfig, table: &'a mut Vec<RouteInfo>) -> Self {
        Routes { cfg, prefix: String::new(), table }
    }

    /// Registers an endpoint and records each of its methods under the full path.
    pub fn add(&mut self, endpoint: Endpoint) -> &mut Self {
        for method in endpoint.methods {
            self.table.push(RouteInfo { method, path: format!("{}{}", self.prefix, endpoint.path) });
        }
        self.cfg.service(endpoint.resource);
        self
    }

    /// Registers the routes `fill` adds under an actix scope at `prefix`.
    pub fn scope(&mut self, prefix: &'static str, fill: impl FnOnce(&mut Routes<'_>)) -> &mut Self {
        let full = format!("{}{prefix}", self.prefix);
        let table = &mut *self.table;
        let scope = web::scope(prefix).configure(|cfg| fill(&mut Routes { cfg, prefix: full, table }));
        self.cfg.service(scope);
        self
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn the_table_holds_full_paths_once_each() {
        let table = crate::web::route_table();
        let unique: HashSet<_> = table.iter().collect();
        assert_eq!(unique.len(), table.len(), "a route registered twice would never be reached the second time");
        let has = |method: Method, path: &str| table.contains(&RouteInfo { method, path: path.into() });
        assert!(has(Method::GET, "/"));
        assert!(has(Method::POST, "/register") && has(Method::GET, "/register"));
        assert!(has(Method::GET, "/api/v1/users/me") && has(Method::GET, "/contests/{slug}/api/v1/users/me"));
    }
}
