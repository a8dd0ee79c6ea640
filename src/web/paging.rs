//! Readings of the JSON API in pages and with ETags: a listing cut to `limit` with an opaque
//! cursor for where the next page starts (the last row the page gave: the next is read by key
//! from there), and a digest of what a reading says so that one asked again unchanged is a 304.

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The most obligations one page gives.
pub(super) const MAX_PAGE: usize = 10_000;

/// What a cursor looks like, as the API's description says it (`k120`; `o120` from an earlier
/// version): a client takes it from the `Link` header and need not know more; every cursor of
/// this shape names a page.
pub(super) const CURSOR_PATTERN: &str = "^([ko][0-9]{1,15})?$";

/// Where a cursor says a page starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Cursor {
    /// After this row: this version's cursors (`k120`).
    After(i64),
    /// After this many rows from the first: earlier versions' cursors (`o120`, or the same in
    /// base64), so that a link kept from before still works — at the price of walking there.
    Skip(usize),
}

/// A cursor for the page that starts after the row `after`: opaque to clients.
pub(super) fn to_cursor(after: i64) -> String {
    format!("k{after}")
}

/// Where a cursor says the page starts, if it is one.
pub(super) fn from_cursor(cursor: &str) -> Option<Cursor> {
    use base64::Engine;
    let digits = |s: &str| {
        (!s.is_empty() && s.len() <= 15 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<i64>().ok())
            .flatten()
    };
    if let Some(row) = cursor.strip_prefix('k').and_then(digits) {
        return Some(Cursor::After(row));
    }
    let skip = |n: i64| usize::try_from(n).ok().map(Cursor::Skip);
    if let Some(index) = cursor.strip_prefix('o').and_then(digits) {
        return skip(index);
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()?;
    std::str::from_utf8(&bytes)
        .ok()?
        .strip_prefix("o1:")
        .and_then(digits)
        .and_then(skip)
}

/// What a cursor of a listing sorted by what it says looks like (`v` and hex): the bytes of
/// the last row's sort key, which the next page starts after. Any bytes are a place in the
/// order (keys compare as bytes), so every cursor of this shape names a page.
pub(super) const KEY_CURSOR_PATTERN: &str = "^(v([0-9a-f]{2}){1,2000})?$";

/// A cursor for the page after the row whose sort key is `key`: opaque to clients.
pub(super) fn to_key_cursor(key: &[u8]) -> String {
    let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
    format!("v{hex}")
}

/// The sort key a cursor of [`to_key_cursor`]'s shape holds, if it has that shape.
pub(super) fn from_key_cursor(cursor: &str) -> Option<Vec<u8>> {
    let hex = cursor.strip_prefix('v')?;
    if hex.is_empty()
        || hex.len() % 2 != 0
        || !hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok())
        .collect()
}

/// A row's place in a listing sorted by key, as bytes that sort so: `descending` first (a
/// larger one sorts earlier: more days late, sent later), then `parts` in turn, each after a
/// NUL (no name holds one), so that a shorter name sorts before a longer one it begins.
pub(super) fn sort_key(descending: i64, parts: &[&str]) -> Vec<u8> {
    let mut key = format!("{:020}", i64::MAX - descending.max(0)).into_bytes();
    for part in parts {
        key.push(0);
        key.extend_from_slice(part.as_bytes());
    }
    key
}

/// The page of a listing sorted by key that a request asks for: its `limit`, and the key its
/// cursor holds (none, or empty, for the first page).
pub(super) struct KeyPage {
    /// At most this many.
    limit: Option<usize>,
    /// After this place.
    after: Option<Vec<u8>>,
}

impl KeyPage {
    /// The page `query` asks for, or the 400 of a limit out of range or a cursor that holds
    /// no key.
    pub fn of(query: &std::collections::HashMap<String, String>) -> Result<KeyPage, Box<Response>> {
        let limit = limit_of(query)?;
        let after = match query.get("cursor").filter(|c| !c.is_empty()) {
            None => None,
            Some(c) => Some(from_key_cursor(c).ok_or_else(|| Box::new(bad_cursor()))?),
        };
        Ok(KeyPage { limit, after })
    }

    /// The page of `rows` in the order of `key`, and the key of its last row where more follow.
    pub fn cut<T>(&self, rows: Vec<T>, key: impl Fn(&T) -> Vec<u8>) -> (Vec<T>, Option<Vec<u8>>) {
        page_by_key(rows, key, self.after.as_deref(), self.limit)
    }

    /// Says where the page after the one whose last row's key is `next` starts: `listing` is
    /// the path with its query up to the page's words (`/api/v1/overdue?campaign=X&`).
    pub fn link(&self, response: &mut Response, listing: &str, next: Option<Vec<u8>>) {
        if let (Some(n), Some(key)) = (self.limit, next) {
            let cursor = to_key_cursor(&key);
            link_next(response, &format!("{listing}limit={n}&cursor={cursor}"));
        }
    }

    /// The page's `rows` as JSON with their `ETag`, and the [`KeyPage::link`] to the next.
    pub fn answer(
        &self,
        request: &HeaderMap,
        rows: &[serde_json::Value],
        listing: &str,
        next: Option<Vec<u8>>,
    ) -> Response {
        let body = serde_json::to_vec(rows).unwrap_or_default();
        let mut response = tagged(request, body, "application/json");
        self.link(&mut response, listing, next);
        response
    }
}

/// A page of `rows` in the order of `key` (bytes that sort as the listing does): those after
/// `after`, at most `limit`, and the key of the page's last row where more follow.
fn page_by_key<T>(
    rows: Vec<T>,
    key: impl Fn(&T) -> Vec<u8>,
    after: Option<&[u8]>,
    limit: Option<usize>,
) -> (Vec<T>, Option<Vec<u8>>) {
    let mut keyed: Vec<(Vec<u8>, T)> = rows
        .into_iter()
        .map(|r| (key(&r), r))
        .filter(|(k, _)| after.is_none_or(|after| k.as_slice() > after))
        .collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    let next = match limit {
        Some(n) if keyed.len() > n => {
            keyed.truncate(n);
            keyed.last().map(|(k, _)| k.clone())
        }
        _ => None,
    };
    (keyed.into_iter().map(|(_, r)| r).collect(), next)
}

/// `limit` as asked: none, or a whole number from 1 to [`MAX_PAGE`]; anything else is the 400
/// that says so.
pub(super) fn limit_of(
    query: &std::collections::HashMap<String, String>,
) -> Result<Option<usize>, Box<Response>> {
    match query.get("limit").map(|l| l.parse::<usize>()) {
        None => Ok(None),
        Some(Ok(n)) if (1..=MAX_PAGE).contains(&n) => Ok(Some(n)),
        Some(_) => Err(Box::new(super::api_refusal::coded(
            super::api_refusal::Code::BadLimit,
            &format!("limit 应为 1 到 {MAX_PAGE} 之间的整数"),
        ))),
    }
}

/// The 400 of a cursor that names no page.
pub(super) fn bad_cursor() -> Response {
    super::api_refusal::coded(
        super::api_refusal::Code::BadCursor,
        "cursor 无效：请使用上一页 Link 头中给出的地址",
    )
}

/// Says where the next page is: `Link: <target>; rel="next"` (`target` percent-encoded).
pub(super) fn link_next(response: &mut Response, target: &str) {
    if let Ok(value) = header::HeaderValue::from_str(&format!("<{target}>; rel=\"next\"")) {
        response.headers_mut().insert(header::LINK, value);
    }
}

/// A reading with its ETag, a digest of what it says: a request whose `If-None-Match` names
/// it gets 304 and no body, so that a dashboard polling every minute costs nothing to send
/// while nothing changed.
pub(super) fn tagged(request: &HeaderMap, body: Vec<u8>, content_type: &'static str) -> Response {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(&body);
    let tag: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    let tag = format!("\"{tag}\"");
    let unchanged = request
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|t| t == "*" || t.trim_start_matches("W/") == tag);
    let mut response = if unchanged {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, content_type)], body).into_response()
    };
    if let Ok(value) = header::HeaderValue::from_str(&tag) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("private, no-cache"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_stands_for_its_place_and_nothing_else_is_one() {
        for row in [0, 1, 99, 10_000, 1_000_000] {
            assert_eq!(from_cursor(&to_cursor(row)), Some(Cursor::After(row)));
        }
        // An earlier version's, as an offset: plain and in base64 (`o1:120`).
        assert_eq!(from_cursor("o120"), Some(Cursor::Skip(120)));
        assert_eq!(from_cursor("bzE6MTIw"), Some(Cursor::Skip(120)));
        for bad in ["", "nonsense", "bzE6LTE", "MTIz", "k-1", "k", "o"] {
            assert_eq!(from_cursor(bad), None, "{bad}");
        }
        // A sort key's: its bytes, and nothing of another shape.
        let key = "宛城区\0nanyang-2017".as_bytes();
        let cursor = to_key_cursor(key);
        assert!(cursor.starts_with('v') && cursor.is_ascii(), "{cursor}");
        assert_eq!(from_key_cursor(&cursor).as_deref(), Some(key));
        for bad in ["v", "vabc", "vXY", "k120", "v0G"] {
            assert_eq!(from_key_cursor(bad), None, "{bad}");
        }
    }

    #[test]
    fn an_unchanged_reading_is_a_304_and_a_changed_one_is_not() {
        let first = tagged(&HeaderMap::new(), b"[1]".to_vec(), "application/json");
        assert_eq!(first.status(), StatusCode::OK);
        let tag = first.headers()[header::ETAG].clone();
        let mut asked = HeaderMap::new();
        asked.insert(header::IF_NONE_MATCH, tag.clone());
        assert_eq!(
            tagged(&asked, b"[1]".to_vec(), "application/json").status(),
            StatusCode::NOT_MODIFIED
        );
        let changed = tagged(&asked, b"[1,2]".to_vec(), "application/json");
        assert_eq!(changed.status(), StatusCode::OK);
        assert_ne!(changed.headers()[header::ETAG], tag);
    }
}
