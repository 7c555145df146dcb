//! The written spec and the reference server agree: every path and method in
//! `openapi.yaml` is served (no 404 / 405), and nothing is served that the spec
//! does not list.

const SPEC: &str = include_str!("../openapi.yaml");

/// (method, path) pairs of the spec's `paths:` section, read by a real YAML
/// parser (a spec that is not YAML fails here, not only in third-party tools).
fn spec_routes() -> Vec<(String, String)> {
    let spec: serde_yaml::Value = serde_yaml::from_str(SPEC).expect("openapi.yaml is YAML");
    let paths = spec
        .get("paths")
        .and_then(|p| p.as_mapping())
        .expect("openapi.yaml has paths");
    let mut out = Vec::new();
    for (path, item) in paths {
        let path = path.as_str().expect("a path is a string");
        for (method, _) in item.as_mapping().expect("a path item is a mapping") {
            let m = method.as_str().unwrap_or_default();
            if ["get", "post", "put", "delete", "patch"].contains(&m) {
                out.push((m.to_string(), path.to_string()));
            }
        }
    }
    out
}

#[tokio::test]
async fn every_route_in_the_spec_is_served() {
    let routes = spec_routes();
    assert_eq!(routes.len(), 9, "{routes:?}");
    let server_src = include_str!("../src/server.rs");
    // The server's route table names the same paths (as `{API_PREFIX}/…`).
    let served = server_src.matches(".route(").count();
    assert_eq!(
        served,
        routes.len(),
        "the server has as many routes as the spec"
    );

    let dir = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app =
        kiosk_hall::server::router(&dir.path().join("hall.db"), serde_json::json!({"item": []}))
            .unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let http = reqwest::Client::new();
    // An application to address the per-application routes to.
    let client = kiosk_hall::HallClient::new(
        &format!("http://{addr}"),
        "T01",
        std::time::Duration::from_secs(5),
    )
    .unwrap();
    // The applicant of the shipped test card (the one fixture every test reads).
    let card: serde_json::Value =
        serde_json::from_str(include_str!("../../../assets/sim/idcard/ouyang-yan.json")).unwrap();
    let applicant: serde_json::Map<String, serde_json::Value> =
        ["name", "id_number", "gender", "nation", "birth", "address"]
            .iter()
            .map(|k| (k.to_string(), card[*k].clone()))
            .collect();
    let req: kiosk_hall::ApplicationRequest = serde_json::from_value(serde_json::json!({
        "terminal_id": "T01", "item_id": "pension-enroll",
        "applicant": applicant,
        "fields": {}, "materials": [{"id": "hukou", "name": "户口簿", "pages": 1}],
        "delivery": "pickup"
    }))
    .unwrap();
    let no = client.submit(&req, "k1").await.unwrap().application_no;
    for (method, path) in routes {
        let concrete = path
            .replace("{no}", &no)
            .replace("{material}", "hukou")
            .replace("{page}", "1")
            .replace("{id}", "T01");
        let url = format!("http://{addr}{}{concrete}", kiosk_hall::API_PREFIX);
        let req = match method.as_str() {
            "get" => http.get(&url),
            "post" => http.post(&url).json(&serde_json::json!({})),
            "put" => http.put(&url).body(vec![0xffu8, 0xd8]),
            m => panic!("unexpected method {m}"),
        };
        let status = req.send().await.unwrap().status().as_u16();
        assert!(status != 405, "{method} {path}: method not served");
        assert!(status != 404, "{method} {path}: not served");
    }
}
