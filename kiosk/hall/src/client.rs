//! The terminal's HTTP client for the hall API.

use std::time::Duration;

use reqwest::StatusCode;

use crate::api::*;

#[derive(Debug, thiserror::Error)]
pub enum HallError {
    /// No answer: network down, hall down, timeout. Worth retrying.
    #[error("hall unreachable: {0}")]
    Unreachable(String),
    /// The hall answered 5xx. Worth retrying.
    #[error("hall error {status}: {message}")]
    Server { status: u16, message: String },
    /// The hall refused the request (4xx). Retrying the same request will not help.
    #[error("hall refused the request ({status}): {message}")]
    Rejected { status: u16, message: String },
}

impl HallError {
    pub fn retryable(&self) -> bool {
        !matches!(self, HallError::Rejected { .. })
    }
}

#[derive(Clone)]
pub struct HallClient {
    base: String,
    http: reqwest::Client,
    pub terminal_id: String,
}

impl HallClient {
    /// `base` is the hall's root URL (`https://hall.example/`); requests go to `{base}/api/v1/...`.
    pub fn new(base: &str, terminal_id: &str, timeout: Duration) -> Result<Self, HallError> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .build()
            .map_err(|e| HallError::Unreachable(e.to_string()))?;
        Ok(HallClient {
            base: base.trim_end_matches('/').to_string(),
            http,
            terminal_id: terminal_id.to_string(),
        })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{API_PREFIX}{path}", self.base)
    }

    async fn check(
        resp: Result<reqwest::Response, reqwest::Error>,
    ) -> Result<reqwest::Response, HallError> {
        let resp = resp.map_err(|e| HallError::Unreachable(e.without_url().to_string()))?;
        let status = resp.status();
        if status.is_success() {
            return Ok(resp);
        }
        let message = resp
            .json::<ErrorBody>()
            .await
            .map(|b| b.error)
            .unwrap_or_else(|_| status.canonical_reason().unwrap_or("").to_string());
        if status.is_server_error()
            || status == StatusCode::TOO_MANY_REQUESTS
            || status == StatusCode::REQUEST_TIMEOUT
        {
            Err(HallError::Server {
                status: status.as_u16(),
                message,
            })
        } else {
            Err(HallError::Rejected {
                status: status.as_u16(),
                message,
            })
        }
    }

    async fn json<T: serde::de::DeserializeOwned>(resp: reqwest::Response) -> Result<T, HallError> {
        resp.json()
            .await
            .map_err(|e| HallError::Unreachable(format!("bad reply body: {e}")))
    }

    pub async fn submit(
        &self,
        req: &ApplicationRequest,
        idempotency_key: &str,
    ) -> Result<ApplicationAccepted, HallError> {
        let r = self
            .http
            .post(self.url("/applications"))
            .header(IDEMPOTENCY_HEADER, idempotency_key)
            .json(req)
            .send()
            .await;
        Self::json(Self::check(r).await?).await
    }

    /// Uploads one attachment: a material's pages as one PDF (page 0) or one
    /// page as JPEG (pages 1..); the content type follows the bytes.
    pub async fn upload_page(
        &self,
        application_no: &str,
        material_id: &str,
        page: u32,
        jpeg: Vec<u8>,
    ) -> Result<(), HallError> {
        let r = self
            .http
            .put(self.url(&format!(
                "/applications/{application_no}/attachments/{material_id}/{page}"
            )))
            .header(
                reqwest::header::CONTENT_TYPE,
                if jpeg.starts_with(b"%PDF-") {
                    "application/pdf"
                } else {
                    "image/jpeg"
                },
            )
            .body(jpeg)
            .send()
            .await;
        Self::check(r).await.map(|_| ())
    }

    pub async fn status(&self, application_no: &str) -> Result<ApplicationStatus, HallError> {
        let r = self
            .http
            .get(self.url(&format!("/applications/{application_no}")))
            .send()
            .await;
        Self::json(Self::check(r).await?).await
    }

    pub async fn ticket(&self, req: &TicketRequest) -> Result<Ticket, HallError> {
        let r = self
            .http
            .post(self.url("/queue/tickets"))
            .json(req)
            .send()
            .await;
        Self::json(Self::check(r).await?).await
    }

    /// 预约签到: `Ok(None)` when the hall has no appointment today for this card.
    pub async fn check_in(&self, id_number: &str) -> Result<Option<CheckIn>, HallError> {
        let r = self
            .http
            .post(self.url("/queue/check-in"))
            .json(&CheckInRequest {
                id_number: id_number.to_string(),
            })
            .send()
            .await;
        match Self::check(r).await {
            Ok(resp) => Self::json(resp).await.map(Some),
            Err(HallError::Rejected { status: 404, .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Books an appointment (the reference hall's booking call).
    pub async fn appoint(&self, req: &AppointmentRequest) -> Result<(), HallError> {
        let r = self
            .http
            .post(self.url("/appointments"))
            .json(req)
            .send()
            .await;
        Self::check(r).await.map(|_| ())
    }

    pub async fn evaluate(&self, reference: &str, score: u8) -> Result<(), HallError> {
        let body = EvaluationRequest {
            terminal_id: self.terminal_id.clone(),
            reference: reference.to_string(),
            score,
        };
        let r = self
            .http
            .post(self.url("/evaluations"))
            .json(&body)
            .send()
            .await;
        Self::check(r).await.map(|_| ())
    }

    pub async fn heartbeat(&self, hb: &Heartbeat) -> Result<(), HallError> {
        let r = self
            .http
            .post(self.url(&format!("/terminals/{}/heartbeat", self.terminal_id)))
            .json(hb)
            .send()
            .await;
        Self::check(r).await.map(|_| ())
    }

    pub async fn catalog(&self) -> Result<serde_json::Value, HallError> {
        let r = self.http.get(self.url("/catalog")).send().await;
        Self::json(Self::check(r).await?).await
    }
}
