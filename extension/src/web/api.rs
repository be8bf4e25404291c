//! Bindings to the extension APIs through `piecerateApi`, which the loaders set to Firefox's
//! `browser` or Chromium's `chrome` (both return promises in Manifest V3).

use super::error::WebError;
use crate::json::{JsonError, JsonProblem};
use analysis::json::Value;
use js_sys::Promise;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = ["piecerateApi", "storage", "local"], js_name = get, catch)]
    fn storage_get(keys: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_namespace = ["piecerateApi", "storage", "local"], js_name = set, catch)]
    fn storage_set(items: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_namespace = ["piecerateApi", "storage", "local"], js_name = remove, catch)]
    fn storage_remove(keys: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_namespace = ["piecerateApi", "i18n"], js_name = getMessage)]
    fn get_message(name: &str, substitutions: &JsValue) -> String;
    #[wasm_bindgen(js_namespace = ["piecerateApi", "runtime"], js_name = sendMessage, catch)]
    fn send_message(message: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_namespace = ["piecerateApi", "runtime"], js_name = getManifest)]
    fn get_manifest() -> JsValue;
    #[wasm_bindgen(js_namespace = ["piecerateApi", "permissions"], js_name = contains, catch)]
    fn permissions_contains(permissions: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_namespace = ["piecerateApi", "permissions"], js_name = request, catch)]
    fn permissions_request(permissions: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_namespace = ["piecerateApi", "permissions"], js_name = remove, catch)]
    fn permissions_remove(permissions: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_namespace = ["piecerateApi", "permissions", "onAdded"], js_name = addListener)]
    fn on_permissions_added(listener: &js_sys::Function);
    #[wasm_bindgen(js_namespace = ["piecerateApi", "permissions", "onRemoved"], js_name = addListener)]
    fn on_permissions_removed(listener: &js_sys::Function);
    #[wasm_bindgen(js_namespace = crypto, js_name = getRandomValues)]
    fn get_random_values(buffer: &mut [u8]);
    #[wasm_bindgen(js_name = fetch)]
    fn fetch_request(request: &web_sys::Request) -> Promise;
    #[wasm_bindgen(js_namespace = console, js_name = warn)]
    pub fn console_warn(text: &str);
}

/// A failed browser call, as text for the log and the popup's status line. An `Error` (what the
/// browsers reject most calls with, and what the background answers a failed message with) is
/// its message: as JSON it would be `{}`.
pub(crate) fn describe(error: &JsValue) -> String {
    error
        .as_string()
        .or_else(|| error.dyn_ref::<js_sys::Error>().map(|error| String::from(error.message())))
        .or_else(|| js_sys::JSON::stringify(error).ok().and_then(|s| s.as_string()))
        .unwrap_or_else(|| "unknown error".to_owned())
}

/// A JSON value as a JavaScript value (through JSON text, which both sides read exactly).
pub(crate) fn to_js(value: &Value) -> JsValue {
    js_sys::JSON::parse(&value.to_string()).unwrap_or(JsValue::NULL)
}

/// A JavaScript value (a message) as JSON, read by [`crate::json::FromJson`] afterwards.
pub(crate) fn from_js(value: &JsValue) -> Result<Value, WebError> {
    let text =
        js_sys::JSON::stringify(value).map_err(|e| WebError::browser(&e))?.as_string().unwrap_or_default();
    analysis::json::parse(&text)
        .map_err(|error| WebError::Json(JsonError::new(JsonProblem::NotJson(error.to_string()))))
}

/// Reads keys from `storage.local`; absent keys are absent from the result.
pub(crate) async fn get(keys: &[&str]) -> Result<js_sys::Object, WebError> {
    let list: js_sys::Array = keys.iter().map(|key| JsValue::from_str(key)).collect();
    let value = JsFuture::from(storage_get(&list).map_err(|e| WebError::browser(&e))?)
        .await
        .map_err(|e| WebError::browser(&e))?;
    value.dyn_into().map_err(|_| WebError::unexpected("storage returned no object"))
}

pub(crate) async fn set(items: &js_sys::Object) -> Result<(), WebError> {
    JsFuture::from(storage_set(items).map_err(|e| WebError::browser(&e))?)
        .await
        .map_err(|e| WebError::browser(&e))?;
    Ok(())
}

pub(crate) async fn remove(keys: &[String]) -> Result<(), WebError> {
    let list: js_sys::Array = keys.iter().map(|key| JsValue::from_str(key)).collect();
    JsFuture::from(storage_remove(&list).map_err(|e| WebError::browser(&e))?)
        .await
        .map_err(|e| WebError::browser(&e))?;
    Ok(())
}

/// What both browsers reject a message with when no listener received it.
const NOT_RECEIVED: &str = "Could not establish connection. Receiving end does not exist.";

/// Sends `message` to the background and waits for its answer. A message that reached no
/// listener, because the background was starting or being suspended (Firefox suspends an idle
/// event page), is sent again for up to two seconds: it was not handled, so sending it again
/// cannot act twice.
pub(crate) async fn message(message: &Value) -> Result<JsValue, WebError> {
    let message = to_js(message);
    let mut retries = 20;
    loop {
        match JsFuture::from(send_message(&message).map_err(|e| WebError::browser(&e))?).await {
            Err(error) if retries > 0 && describe(&error) == NOT_RECEIVED => {
                retries -= 1;
                pause_ms(100).await;
            }
            answer => return answer.map_err(|e| WebError::browser(&e)),
        }
    }
}

/// Waits `ms` milliseconds (a page's timer).
async fn pause_ms(ms: i32) {
    let timer = Promise::new(&mut |resolve, _| {
        let waiting = web_sys::window().is_some_and(|window| {
            window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms).is_ok()
        });
        if !waiting {
            let _ = resolve.call0(&JsValue::NULL);
        }
    });
    let _ = JsFuture::from(timer).await;
}

pub(crate) fn translate(name: &str, substitutions: &[&str]) -> String {
    let list: js_sys::Array = substitutions.iter().map(|s| JsValue::from_str(s)).collect();
    let text = get_message(name, &list);
    if text.is_empty() { name.to_owned() } else { text }
}

/// Access to the platforms' sites, as the manifest asks for it (`{origins: host_permissions}`),
/// and those sites' host names for the worker to read (`worker.mturk.com, app.prolific.com`).
pub(crate) fn site_access() -> (JsValue, String) {
    let origins = js_sys::Reflect::get(&get_manifest(), &"host_permissions".into()).unwrap_or_default();
    let mut hosts = String::new();
    for origin in js_sys::Array::from(&origins).iter().filter_map(|origin| origin.as_string()) {
        if !hosts.is_empty() {
            hosts.push_str(", ");
        }
        let host = origin.strip_prefix("https://").unwrap_or(&origin);
        hosts.push_str(host.strip_suffix("/*").unwrap_or(host));
    }
    let permissions = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&permissions, &"origins".into(), &origins);
    (permissions.into(), hosts)
}

/// The origins the manifest lists as optional (`optional_host_permissions`): the platforms a
/// worker turns on in the settings.
pub(crate) fn optional_origins() -> Vec<String> {
    let origins =
        js_sys::Reflect::get(&get_manifest(), &"optional_host_permissions".into()).unwrap_or_default();
    // A manifest without the list (an older build's) has nothing to offer.
    if !js_sys::Array::is_array(&origins) {
        return Vec::new();
    }
    js_sys::Array::from(&origins).iter().filter_map(|origin| origin.as_string()).collect()
}

/// A permissions object of these origins.
pub(crate) fn origins(list: &[String]) -> JsValue {
    let permissions = js_sys::Object::new();
    let array: js_sys::Array = list.iter().map(|origin| JsValue::from_str(origin)).collect();
    let _ = js_sys::Reflect::set(&permissions, &"origins".into(), &array);
    permissions.into()
}

/// Gives these permissions back; answers whether the browser removed them.
pub(crate) async fn remove_permissions(permissions: &JsValue) -> bool {
    let Ok(promise) = permissions_remove(permissions) else { return false };
    JsFuture::from(promise).await.ok().and_then(|removed| removed.as_bool()).unwrap_or(false)
}

/// The data-collection permissions the manifest declares for sharing (Firefox's
/// `browser_specific_settings.gecko.data_collection_permissions.optional`) as a permissions
/// object, or `None` where the manifest declares none (the Chromium build). Firefox grants
/// them only when asked, which the popup does when the worker turns sharing on, and lets the
/// worker withdraw them in the add-on's settings, which pauses the uploads.
pub(crate) fn sharing_data_collection() -> Option<JsValue> {
    let mut declared = get_manifest();
    for key in ["browser_specific_settings", "gecko", "data_collection_permissions", "optional"] {
        declared = js_sys::Reflect::get(&declared, &key.into()).ok().filter(|value| value.is_object())?;
    }
    let permissions = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&permissions, &"data_collection".into(), &declared);
    Some(permissions.into())
}

/// Asks for these permissions and answers whether they were granted; a browser that does not
/// know them (Firefox before 140 rejects the request) has nothing to grant, so that is a yes.
/// Like [`request_permissions`], it must be called synchronously from a click's listener.
pub(crate) fn ask_permissions(permissions: &JsValue) -> impl Future<Output = bool> + use<> {
    let asked = permissions_request(permissions);
    async move {
        match asked {
            Ok(promise) => {
                JsFuture::from(promise).await.map_or(true, |granted| granted.as_bool() != Some(false))
            }
            Err(_) => true,
        }
    }
}

/// Whether the extension holds these permissions (if the browser cannot tell, it is assumed to).
pub(crate) async fn has_permissions(permissions: &JsValue) -> bool {
    let Ok(promise) = permissions_contains(permissions) else { return true };
    JsFuture::from(promise).await.ok().and_then(|held| held.as_bool()).unwrap_or(true)
}

/// Asks the worker for these permissions. The browser allows it only while a click is being
/// handled, so this must be called synchronously from the click's listener; the answer comes
/// as a permissions change.
pub(crate) fn request_permissions(permissions: &JsValue) {
    let _ = permissions_request(permissions);
}

/// Calls `listener` whenever the extension's permissions change.
pub(crate) fn on_permissions_changed(listener: &js_sys::Function) {
    on_permissions_added(listener);
    on_permissions_removed(listener);
}

pub(crate) fn random_bytes() -> [u8; 16] {
    let mut bytes = [0u8; 16];
    get_random_values(&mut bytes);
    bytes
}

pub(crate) fn now_millis() -> i64 {
    js_sys::Date::now() as i64
}

/// The worker's current offset from UTC in minutes, east positive.
pub(crate) fn utc_offset_minutes() -> i64 {
    -(js_sys::Date::new_0().get_timezone_offset() as i64)
}

/// An HTTP response: status, `Retry-After` header and body text.
#[derive(Debug)]
pub(crate) struct HttpReply {
    pub status: u16,
    pub retry_after: Option<String>,
    pub body: String,
}

/// Sends a request; `Err` when it never reached a server (offline, refused, CORS).
pub(crate) async fn http(
    method: &str,
    url: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> Result<HttpReply, WebError> {
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    let headers = web_sys::Headers::new().map_err(|e| WebError::browser(&e))?;
    if let Some(token) = token {
        headers.set("Authorization", &format!("Bearer {token}")).map_err(|e| WebError::browser(&e))?;
    }
    if let Some(body) = body {
        headers.set("Content-Type", "application/json").map_err(|e| WebError::browser(&e))?;
        init.set_body(&JsValue::from_str(body));
    }
    init.set_headers(&headers);
    let request = web_sys::Request::new_with_str_and_init(url, &init).map_err(|e| WebError::browser(&e))?;
    let response: web_sys::Response = JsFuture::from(fetch_request(&request))
        .await
        .map_err(|e| WebError::browser(&e))?
        .dyn_into()
        .map_err(|_| WebError::unexpected("fetch gave no response"))?;
    let retry_after = response.headers().get("Retry-After").ok().flatten();
    let text = JsFuture::from(response.text().map_err(|e| WebError::browser(&e))?)
        .await
        .map_err(|e| WebError::browser(&e))?;
    Ok(HttpReply { status: response.status(), retry_after, body: text.as_string().unwrap_or_default() })
}
