//! The JSON bodies of the API, as types: what the handlers answer (serialized from these types)
//! and what they read (parsed by the `analysis` library, whose rules these types describe). The
//! OpenAPI document (`openapi.rs`) is derived from them, so it says what the code does.

use analysis::record::{Outcome, Platform, TaskCategory, UnpaidCategory};
use analysis::{CountryCode, Currency};
use serde::{Deserialize, Serialize};
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{AllOfBuilder, OneOfBuilder};
use utoipa::openapi::schema::{Object, ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::{Ref, RefOr, Required};
use utoipa::{IntoParams, PartialSchema, ToSchema};

use crate::ingest::RecordProblem;

/// A month a record can start in: 2005-01 to 2099-12 (record times lie in 2005..2100).
pub(super) const MONTH_PATTERN: &str = "^(200[5-9]|20[1-9][0-9])-(0[1-9]|1[0-2])$";

// Read by `api::parse_enrollment`, which also refuses a key given twice, and checked by
// `proof_of_work::ChallengeKey::check`.
/// The body of POST /v1/installs: a solved proof of work, and optionally the consent version.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Enrollment)]
#[expect(dead_code, reason = "describes a body the analysis library reads; the document is derived from it")]
pub(super) struct Enrollment {
    /// A challenge from GET /v1/installs/challenge, as given.
    #[schema(max_length = 256)]
    pub challenge: String,
    /// Letters or digits such that SHA-256(challenge followed by nonce, as bytes) begins with
    /// `difficulty` zero bits.
    #[schema(pattern = "^[A-Za-z0-9]{1,64}$")]
    pub nonce: String,
    /// The version of the consent text the worker agreed to; stored with the install. A string
    /// (null is refused: leave the field out when there is none).
    #[schema(pattern = "^[A-Za-z0-9._:-]{1,64}$")]
    #[serde(default)]
    pub consent_version: String,
}

/// A proof-of-work challenge for one enrollment.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Challenge)]
pub(super) struct Challenge {
    /// Opaque text authenticated by the collector; send it back unchanged.
    pub challenge: String,
    /// Leading zero bits SHA-256(challenge followed by nonce) must have.
    #[schema(minimum = 0, maximum = 32)]
    pub difficulty: u32,
    /// After this instant (ten minutes from issue) the challenge enrolls nothing.
    #[schema(format = DateTime)]
    pub expires_at: String,
}

/// What an enrollment answers, once: the token is never shown again.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Credentials)]
pub(super) struct Credentials {
    /// 32 hex digits, random.
    #[schema(pattern = "^[0-9a-f]{32}$")]
    pub install_id: String,
    /// 64 hex digits, random; send as Authorization: Bearer TOKEN. Shown only once.
    #[schema(pattern = "^[0-9a-f]{64}$")]
    pub token: String,
}

/// What an erasure answers.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Erased)]
pub(super) struct Erased {
    #[schema(minimum = 0)]
    pub records_erased: u64,
    #[schema(minimum = 0)]
    pub installs_erased: u64,
}

/// What a committed upload answers.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = BatchCounts)]
pub(super) struct BatchCounts {
    /// Records stored by this request.
    pub accepted: u64,
    /// Records already stored (or repeated in the batch) with the same content; not stored again.
    pub duplicates: u64,
}

// Read by `ingest::parse_batch`, which also refuses `records` given twice.
/// The body of POST /v1/records: 1 to 1000 records.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Batch)]
#[expect(dead_code, reason = "describes a body the analysis library reads; the document is derived from it")]
pub(super) struct Batch {
    #[schema(value_type = Vec<RecordSchema>, min_items = 1, max_items = 1000)]
    pub records: Vec<RecordV1>,
}

/// Record format v1 as the schema `Record`: its fields (`RecordFields`, derived from
/// `RecordV1`) and what each kind requires of them.
pub(super) struct RecordSchema;

impl PartialSchema for RecordSchema {
    fn schema() -> RefOr<Schema> {
        let record = AllOfBuilder::new()
            .item(Ref::from_schema_name("RecordFields"))
            .item(OneOfBuilder::new().item(task_rules()).item(unpaid_rules()))
            .description(Some(
                "Record format v1 (docs/record-format.md): its fields, and what each kind requires of them. Validated by the analysis library, which is the definition; it also checks what no schema says: ended_at is not before started_at and at most 31 days after it, active_seconds fits in between, a task pays at most 1000 US dollars (reward plus bonus at the record month's exchange rate).",
            ))
            .build();
        RefOr::T(Schema::AllOf(record))
    }
}

impl ToSchema for RecordSchema {
    fn name() -> std::borrow::Cow<'static, str> {
        "Record".into()
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((RecordV1::name().into_owned(), RecordV1::schema()));
        RecordV1::schemas(schemas);
    }
}

/// A task names its outcome and currency; its category, if any, is a task category.
fn task_rules() -> Object {
    ObjectBuilder::new()
        .description(Some("A task: outcome and currency are required."))
        .property("kind", ObjectBuilder::new().schema_type(Type::String).enum_values(Some(["task"])))
        .property(
            "outcome",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(Outcome::ALL.iter().map(|o| o.as_str()))),
        )
        .property("currency", ObjectBuilder::new().schema_type(Type::String).min_length(Some(3)))
        .property(
            "category",
            words_schema(TaskCategory::ALL.iter().map(|c| c.as_str()), true, "A task category, if known."),
        )
        .required("kind")
        .required("outcome")
        .required("currency")
        .build()
}

/// Unpaid time names its category, has no outcome and pays nothing.
fn unpaid_rules() -> Object {
    let nothing = || {
        ObjectBuilder::new()
            .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
            .pattern(Some(r"^(0+(\.0{1,6})?|\.0{1,6})?$"))
    };
    ObjectBuilder::new()
        .description(Some(
            "Unpaid time: category is required, outcome is empty, reward and bonus are empty or zero.",
        ))
        .property("kind", ObjectBuilder::new().schema_type(Type::String).enum_values(Some(["unpaid"])))
        .property(
            "category",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(UnpaidCategory::ALL.iter().map(|c| c.as_str()))),
        )
        .property("outcome", words_schema(Vec::<&str>::new(), true, "Empty: unpaid time has no outcome."))
        .property("reward", nothing())
        .property("bonus", nothing())
        .required("kind")
        .required("category")
        .build()
}

/// The fields of record format v1 (docs/record-format.md), each with its own rule; the schema
/// Record adds what each kind requires.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = RecordFields)]
#[expect(dead_code, reason = "describes a body the analysis library reads; the document is derived from it")]
pub(super) struct RecordV1 {
    /// Canonical hyphenated UUID, unique per install.
    #[schema(
        format = "uuid",
        pattern = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
    )]
    pub record_id: String,
    /// Ignored: replaced by the token's install.
    #[schema(value_type = Option<String>)]
    pub install_id: Option<serde_json::Value>,
    #[schema(schema_with = platform_schema)]
    pub platform: String,
    #[schema(schema_with = country_schema)]
    pub country: Option<String>,
    #[schema(schema_with = kind_schema)]
    pub kind: String,
    #[schema(schema_with = category_schema)]
    pub category: Option<String>,
    #[schema(schema_with = outcome_schema)]
    pub outcome: Option<String>,
    /// RFC 3339 (an offset is converted to UTC, fractions of a second are dropped), between
    /// 2005-01-01 and 2100-01-01. Stored rounded outward to the hour: started_at down.
    #[schema(format = DateTime, pattern = r"^(200[5-9]|20[1-9][0-9])-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$")]
    pub started_at: String,
    /// RFC 3339, not before started_at and at most 31 days after it. Stored rounded outward to
    /// the hour: ended_at up, so the stored span still holds active_seconds.
    #[schema(format = DateTime, pattern = r"^(200[5-9]|20[1-9][0-9])-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$")]
    pub ended_at: String,
    /// Whole seconds, at most ended_at - started_at; kept exactly. As in JSON Schema, a whole
    /// value is an integer however it is written: 7200, 7200.0 and 7.2e3 are all 7200; any
    /// other fraction is refused.
    #[schema(minimum = 0)]
    pub active_seconds: u64,
    /// Exact decimal as a string in currency units, e.g. "0.50", at most 6 decimal places;
    /// never a JSON number. Empty or null means 0; unpaid records pay nothing.
    #[schema(pattern = r"^([0-9]+(\.[0-9]{1,6})?|\.[0-9]{1,6})?$")]
    pub reward: Option<String>,
    /// As reward.
    #[schema(pattern = r"^([0-9]+(\.[0-9]{1,6})?|\.[0-9]{1,6})?$")]
    pub bonus: Option<String>,
    #[schema(schema_with = currency_schema)]
    pub currency: Option<String>,
}

/// A string schema enumerating `words`; when `nullable`, also "" and null.
fn words_schema<W: Into<serde_json::Value>>(
    words: impl IntoIterator<Item = W>,
    nullable: bool,
    description: &str,
) -> Object {
    let mut values: Vec<serde_json::Value> = words.into_iter().map(Into::into).collect();
    let schema_type = if nullable {
        // An optional field may also be empty, as in CSV: the library reads "" as absent.
        values.push(serde_json::Value::from(""));
        values.push(serde_json::Value::Null);
        SchemaType::from_iter([Type::String, Type::Null])
    } else {
        SchemaType::Type(Type::String)
    };
    ObjectBuilder::new()
        .schema_type(schema_type)
        .enum_values(Some(values))
        .description(Some(description))
        .build()
}

/// Every code of `letters` upper-case letters that `accepts` takes, in order: the library's own
/// lists (assigned countries, currencies with a shipped exchange rate) as it reads them.
fn codes(letters: u32, accepts: impl Fn(&str) -> bool) -> Vec<String> {
    let count = 26u32.pow(letters);
    (0..count)
        .map(|mut number| {
            let mut code = vec![b'A'; letters as usize];
            for place in code.iter_mut().rev() {
                *place = b'A' + (number % 26) as u8;
                number /= 26;
            }
            String::from_utf8(code).expect("ASCII letters")
        })
        .filter(|code| accepts(code))
        .collect()
}

fn country_schema() -> Object {
    words_schema(
        codes(2, |code| CountryCode::parse(code).is_ok()),
        true,
        "ISO 3166-1 alpha-2, an assigned code, upper case, e.g. US; empty, null or absent when unknown.",
    )
}

fn currency_schema() -> Object {
    words_schema(
        codes(3, |code| Currency::parse(code).is_ok()),
        true,
        "Active ISO 4217 code for which piecerate ships an exchange rate (analysis/data/SOURCES.md), e.g. USD; required for tasks, may be empty, null or absent for unpaid records.",
    )
}

fn platform_schema() -> Object {
    words_schema(
        Platform::ALL.iter().map(|p| p.as_str()),
        false,
        "The platform; other for any platform logged by hand.",
    )
}

fn kind_schema() -> Object {
    // The two kinds `analysis::record::Activity` has.
    words_schema(
        ["task", "unpaid"],
        false,
        "task: one piece of platform work; unpaid: time the platform does not pay for.",
    )
}

fn outcome_schema() -> Object {
    words_schema(
        Outcome::ALL.iter().map(|o| o.as_str()),
        true,
        "How a task ended; required for tasks, empty, null or absent for unpaid records.",
    )
}

fn category_schema() -> Object {
    let mut words: Vec<&'static str> = TaskCategory::ALL.iter().map(|c| c.as_str()).collect();
    for word in UnpaidCategory::ALL.iter().map(|c| c.as_str()) {
        if !words.contains(&word) {
            words.push(word);
        }
    }
    words_schema(
        words,
        true,
        "Tasks: survey, labeling, transcription, moderation, writing, data_collection, testing, other (optional). Unpaid records: search, qualification, screener, communication, admin, other (required).",
    )
}

/// An error: error says what was wrong, naming the field and the problem; errors lists each
/// problem of a refused batch or enrollment.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Error)]
pub(crate) struct ErrorBody {
    pub error: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<RecordProblem>,
}

/// What /healthz answers.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Health)]
pub(super) struct Health {
    pub status: HealthStatus,
}

#[derive(Debug, Serialize, ToSchema)]
pub(super) enum HealthStatus {
    #[serde(rename = "ok")]
    Ok,
    #[serde(rename = "database unreachable")]
    DatabaseUnreachable,
}

/// How an upload's body is encoded.
#[derive(Debug, ToSchema)]
#[schema(rename_all = "lowercase")]
#[expect(dead_code, reason = "describes a header; ingest::decode_body reads it")]
pub(super) enum ContentEncoding {
    Gzip,
    Identity,
}

/// The whole seconds a 429 asks to wait, rounded up: at least 1.
pub(super) struct RetryAfterSeconds;

impl PartialSchema for RetryAfterSeconds {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(1)).build().into()
    }
}

impl ToSchema for RetryAfterSeconds {}

// `analysis::Report` is its definition and serializer; this type describes its top level.
/// piecerate.report/1, described in docs/report-format.md.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = Report)]
#[expect(
    dead_code,
    reason = "describes the report `analysis::Report` serializes; the document is derived from it"
)]
pub(super) struct ReportDocument {
    #[schema(schema_with = report_schema_name)]
    pub schema: String,
    /// all, task or paid.
    pub method: String,
    /// The grouping dimensions, comma-separated.
    pub by: String,
    /// What money is in: US dollars at market rates (the collector publishes usd).
    #[schema(schema_with = currency_basis_schema)]
    pub currency_basis: Option<String>,
    pub min_workers: u32,
    pub min_hours: f64,
    /// Worker-cells whose effective hourly wage is above this (US$200, which no microtask pays)
    /// are left out of the statistics as implausible.
    pub max_hourly_usd: f64,
    pub disclosure_control: DisclosureControl,
    #[schema(schema_with = cells_schema)]
    pub cells: Vec<serde_json::Value>,
    pub excluded_workers: u64,
    /// Worker-cell pairs left out of the statistics for an effective hourly wage above
    /// max_hourly_usd.
    pub excluded_implausible: u64,
    pub notes: Vec<String>,
    /// Present only on a demo collector: "synthetic demonstration data".
    #[serde(default)]
    #[schema(required = false)]
    pub data_notice: String,
}

/// The parameters of the disclosure control every answer is published under
/// (docs/methodology.md, "Disclosure control of the public observatory").
#[derive(Debug, Deserialize, ToSchema)]
#[expect(dead_code, reason = "describes the object `analysis::DisclosureRules` serializes")]
pub(super) struct DisclosureControl {
    pub min_workers: u32,
    /// Cells with fewer workers give their wages rounded to small_cell_wage_step_usd.
    pub exact_quantiles_min_workers: u32,
    pub small_cell_wage_step_usd: f64,
    /// n_tasks is rounded to a multiple of this.
    pub n_tasks_rounding_base: u64,
    /// hours_paid and hours_unpaid are rounded to a multiple of this.
    pub hours_rounding_base: f64,
}

fn report_schema_name() -> Object {
    ObjectBuilder::new().schema_type(Type::String).enum_values(Some(["piecerate.report/1"])).build()
}

fn currency_basis_schema() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(["usd", "ppp"]))
        .description(Some("What money is in: US dollars at market rates (the collector publishes usd)."))
        .build()
}

fn cells_schema() -> utoipa::openapi::schema::Array {
    utoipa::openapi::schema::ArrayBuilder::new()
        .items(ObjectBuilder::new().schema_type(Type::Object).description(Some(
            "Grouping keys, then the statistics of a published cell (including share_below_local_minimum and n_workers_with_known_minimum, each share's Wilson 95% interval, share_below_usd_7_25_ci95 and share_below_local_minimum_ci95, and mean_ci95_usd, the mean's seeded bootstrap 95% interval, each as [low, high] rounded outward) and, where the cell has a country, minimum_wage: the threshold used (status, hourly_local, currency, in_force_from, basis, source, hourly_usd, or a reason). A cell withheld so that no subtraction isolates a smaller one has complementary_suppression: true; a cell of fewer than exact_quantiles_min_workers workers has wages_rounded_to_usd.",
        )))
        .build()
}

/// Every value `by` may take: distinct dimensions among platform, country and month, in any
/// order, comma-separated, or nothing (one cell of everything). Category is not published.
pub(super) fn by_values() -> Vec<String> {
    const DIMENSIONS: [&str; 3] = ["platform", "country", "month"];
    let mut values = vec![String::new()];
    let mut frontier: Vec<Vec<&str>> = vec![Vec::new()];
    for _ in 0..DIMENSIONS.len() {
        let mut longer = Vec::new();
        for words in &frontier {
            for dimension in DIMENSIONS.into_iter().filter(|d| !words.contains(d)) {
                let mut next = words.clone();
                next.push(dimension);
                values.push(next.join(","));
                longer.push(next);
            }
        }
        frontier = longer;
    }
    values
}

fn by_schema() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(by_values()))
        .default(Some("platform,country".into()))
        .build()
}

fn method_schema() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(["all", "task", "paid"]))
        .default(Some("all".into()))
        .build()
}

fn month_schema() -> Object {
    ObjectBuilder::new().schema_type(Type::String).pattern(Some(MONTH_PATTERN)).build()
}

/// A parameter of the query, optional, with its description and schema.
fn query_parameter(name: &str, description: &str, schema: Object) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Query)
        .required(Required::False)
        .description(Some(description))
        .schema(Some(schema))
        .build()
}

// The parameters' schemas come from code (`by_values`), so their description is written here
// rather than derived.
/// The query of `/v1/wages` and `/v1/wages.csv`.
#[derive(Debug)]
pub(super) struct WagesParams {
    pub by: Option<String>,
    pub method: Option<String>,
    pub month: Option<String>,
}

impl IntoParams for WagesParams {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![
            query_parameter(
                "by",
                "Comma-separated grouping dimensions, each at most once: any of platform, country, month (category is not published); empty for one cell of everything.",
                by_schema(),
            ),
            query_parameter(
                "method",
                "Which hours count: all (tasks and unpaid time, the headline), task (every task), paid (paid tasks only). See docs/methodology.md.",
                method_schema(),
            ),
            query_parameter(
                "month",
                "Only records that started in this UTC month, e.g. 2024-05; 2005-01 to 2099-12.",
                month_schema(),
            ),
        ]
    }
}

/// The query of the dashboard at `/`, besides `lang` (read by `PageQuery`, as on every page,
/// and described here with the others).
#[derive(Debug)]
pub(super) struct DashboardParams {
    pub method: Option<String>,
    pub month: Option<String>,
    pub platform: Option<String>,
}

impl IntoParams for DashboardParams {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let platforms: Vec<&str> = Platform::ALL.iter().map(|platform| platform.as_str()).collect();
        vec![
            query_parameter(
                "method",
                "Which hours count: all, task or paid. Other parameters (a shared link's tracking tags) are ignored, so the link still opens.",
                method_schema(),
            ),
            query_parameter(
                "month",
                "Only records that started in this UTC month, e.g. 2024-05, for the spread and the table; the trend shows every month.",
                month_schema(),
            ),
            query_parameter(
                "platform",
                "Only this platform's figures.",
                ObjectBuilder::new().schema_type(Type::String).enum_values(Some(platforms)).build(),
            ),
            query_parameter(
                "lang",
                "The page's language, en or fr; without it, the browser's Accept-Language chooses. The page's links carry it.",
                ObjectBuilder::new().schema_type(Type::String).enum_values(Some(["en", "fr"])).build(),
            ),
        ]
    }
}

/// The headers of an upload that the API describes.
#[derive(Debug)]
pub(super) struct UploadHeaders;

impl IntoParams for UploadHeaders {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![
            ParameterBuilder::new()
                .name("Content-Encoding")
                .parameter_in(ParameterIn::Header)
                .required(Required::False)
                .description(Some("gzip for a gzip-compressed body (one gzip member, nothing after it)."))
                .schema(Some(ContentEncoding::schema()))
                .build(),
        ]
    }
}

#[cfg(test)]
mod tests {
    use utoipa::openapi::schema::Schema;

    use super::*;

    #[test]
    fn the_record_schema_has_exactly_the_fields_of_record_format_v1_in_their_order() {
        let RefOr::T(Schema::Object(record)) = RecordV1::schema() else { panic!("an object schema") };
        let names: Vec<&str> = record.properties.keys().map(String::as_str).collect();
        assert_eq!(names, analysis::record::CSV_HEADER);
    }

    #[test]
    fn the_enumerated_codes_are_the_ones_the_library_reads() {
        let countries = codes(2, |code| CountryCode::parse(code).is_ok());
        assert!(countries.iter().any(|c| c == "US") && !countries.iter().any(|c| c == "XX"));
        let currencies = codes(3, |code| Currency::parse(code).is_ok());
        assert!(currencies.iter().any(|c| c == "USD") && !currencies.iter().any(|c| c == "BTC"));
        assert_eq!(codes(2, |code| code == "AZ" || code == "ZA"), ["AZ", "ZA"]);
    }
}

/// One published snapshot, as `/snapshots.json` lists it.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct SnapshotEntry {
    /// The UTC day it was published on, `YYYY-MM-DD`: its name in its URLs.
    pub date: String,
    /// When it was published (RFC 3339, UTC).
    pub published_at: String,
    /// SHA-256, in hex, of the exact bytes of `json_url`.
    pub sha256: String,
    /// Its page.
    pub url: String,
    /// Its JSON document (`piecerate.snapshot/1`).
    pub json_url: String,
}

/// `/snapshots.json`: every snapshot, the latest first.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct SnapshotListing {
    /// Days between snapshots (`--snapshot-interval`).
    pub interval_days: u32,
    pub snapshots: Vec<SnapshotEntry>,
}
