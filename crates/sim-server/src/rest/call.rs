//! What a handler needs of a request besides its path: the method, the query, the body.

use axum::http::Method;

use crate::rest::envelope::ApiError;

/// What a handler needs of a request besides its path.
#[derive(Debug)]
pub struct Call<'a> {
    /// The method.
    pub method: &'a Method,
    /// The query string.
    pub query: Option<&'a str>,
    /// The body, within [`crate::rest::MAX_BODY_BYTES`].
    pub body: &'a [u8],
}

impl Call<'_> {
    /// Whether the method is `expected`, else the error naming the right one.
    pub fn expect(&self, expected: &Method) -> Result<(), ApiError> {
        if self.method == expected {
            return Ok(());
        }
        let allowed = match *expected {
            Method::GET => "GET",
            Method::POST => "POST",
            _ => "DELETE",
        };
        Err(ApiError::WrongMethod { method: self.method.to_string(), allowed })
    }
}
