//! The OpenAPI 3.1 document served at `/v1/openapi.json`, derived by utoipa from the handlers'
//! `#[utoipa::path]` attributes (each route's path and method come from the router that serves
//! it, `super::routes`) and from the wire types (`wire.rs`). What is said once for the whole API
//! is here. `docs/openapi.json` is a snapshot of it that a test keeps equal.

use std::sync::LazyLock;

use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::Type;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, HeaderBuilder, Ref, RefOr, ServerBuilder};
use utoipa::{OpenApi, ToResponse};

/// The document as served, built once.
pub(super) static DOCUMENT: LazyLock<String> = LazyLock::new(|| to_json(&super::openapi_document()));

/// The document as pretty-printed JSON with a final newline, as `docs/openapi.json` holds it.
pub(crate) fn to_json(document: &utoipa::openapi::OpenApi) -> String {
    let mut json = serde_json::to_string_pretty(document).expect("an OpenAPI document serializes");
    json.push('\n');
    json
}

const DESCRIPTION: &str = "Receives records in piecerate record format v1 from workers who opted in (through the piecerate browser extension) and publishes effective hourly wages per platform and country as piecerate.report/1. Nothing that identifies a worker is accepted or stored: no account, email, IP address, user agent, or platform worker, task or requester id. Times are rounded outward to the hour on write (started_at down, ended_at up). Write endpoints answer only browser-extension origins (chrome-extension://, moz-extension://) and programs that send no Origin; any other origin gets 403. Read endpoints are public, except /metrics, which is for operators. Every error, a 405 included, is a JSON object {\"error\": \"...\"}. A query parameter given twice is refused (400) rather than one of its values chosen. A collector started with --demo serves synthetic data and adds \"data_notice\": \"synthetic demonstration data\" to every JSON object it answers (except this document) and a Piecerate-Data-Notice header to every response; it refuses to enroll, upload or erase (403). See docs/collector.md.";

/// What the routes do not say themselves: the API's description, its security scheme and the
/// responses every route shares.
#[derive(OpenApi)]
#[openapi(
    info(title = "piecerate collector API", version = "1", description = DESCRIPTION),
    components(responses(MethodNotAllowed))
)]
pub(super) struct ApiDoc;

/// Completes the document once every route's description is merged into it with what no route
/// says: the servers and the bearer token's security scheme.
pub(super) fn complete(openapi: &mut utoipa::openapi::OpenApi) {
    // Relative to wherever the collector is served, not to a fixed host.
    openapi.servers = Some(vec![ServerBuilder::new().url("/").build()]);
    // Not derived from the package: the API's version is its path's, /v1.
    openapi.info.license = None;
    openapi.info.contact = None;
    let components = openapi.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .description(Some("The token returned by POST /v1/installs."))
                .build(),
        ),
    );
}

fn error_content() -> utoipa::openapi::Content {
    ContentBuilder::new().schema(Some(Ref::from_schema_name("Error"))).build()
}

/// The 405 of every route, for a method it does not take.
pub(super) struct MethodNotAllowed;

impl<'s> ToResponse<'s> for MethodNotAllowed {
    fn response() -> (&'s str, RefOr<Response>) {
        let allow = HeaderBuilder::new()
            .schema(Some(utoipa::openapi::ObjectBuilder::new().schema_type(Type::String)))
            .description(Some("The methods this route takes, e.g. GET,HEAD."))
            .build();
        let response = ResponseBuilder::new()
            .description(
                "The route exists but does not take this method; the Allow header lists the methods it takes.",
            )
            .content("application/json", error_content())
            .header("Allow", allow)
            .build();
        ("MethodNotAllowed", response.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SNAPSHOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/openapi.json");

    /// Reviewers see every change of the API's description as a diff of `docs/openapi.json`.
    #[test]
    fn the_document_equals_its_committed_snapshot() {
        let document = to_json(&super::super::openapi_document());
        if std::env::var_os("PIECERATE_UPDATE_OPENAPI").is_some() {
            std::fs::write(SNAPSHOT, &document).expect("writing docs/openapi.json");
        }
        let snapshot = std::fs::read_to_string(SNAPSHOT).unwrap_or_default();
        assert!(
            document == snapshot,
            "docs/openapi.json is not the document the collector serves; if the change is meant, \
             run `PIECERATE_UPDATE_OPENAPI=1 cargo test -p collector --locked openapi` and commit the diff"
        );
    }
}
