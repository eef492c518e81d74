//! What the server counts for its operators, in Prometheus' text format at `/metrics`: requests by route and
//! status, answers by verdict, live connections, the database pool, recomputations of the standings, bytes in and out of the file store. One
//! registry per process: each instance reports its own figures, and Prometheus adds them up.

use std::sync::LazyLock;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub method: String,
    /// The route's pattern (`/contests/{slug}/challenges`), never the path itself: a bounded set of values.
    pub route: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct VerdictLabels {
    pub verdict: String,
}

pub struct Metrics {
    registry: Registry,
    pub requests: Family<RequestLabels, Counter>,
    pub answers: Family<VerdictLabels, Counter>,
    pub recomputations: Counter,
    pub sse_clients: Gauge,
    pub pool_connections: Gauge,
    pub pool_idle: Gauge,
    pub blob_written: Counter,
    pub blob_read: Counter,
}

/// The process's metrics.
pub static METRICS: LazyLock<Metrics> = LazyLock::new(|| {
    let mut registry = Registry::with_prefix("mwscup");
    let requests = Family::<RequestLabels, Counter>::default();
    registry.register("http_requests", "HTTP requests answered, by route pattern and status", requests.clone());
    let answers = Family::<VerdictLabels, Counter>::default();
    registry.register("answers", "Answers judged, by verdict", answers.clone());
    let recomputations = Counter::default();
    registry.register("live_recomputations", "Recomputations of a contest's standings", recomputations.clone());
    let sse_clients = Gauge::default();
    registry.register("sse_clients", "Live connections (Server-Sent Events) held now", sse_clients.clone());
    let pool_connections = Gauge::default();
    registry.register("db_pool_connections", "Database connections open in the pool", pool_connections.clone());
    let pool_idle = Gauge::default();
    registry.register("db_pool_idle", "Database connections of the pool not in use", pool_idle.clone());
    let blob_written = Counter::default();
    registry.register("blob_written_bytes", "Bytes of new files written to the file store", blob_written.clone());
    let blob_read = Counter::default();
    registry.register("blob_read_bytes", "Bytes read from the file store (downloads, copies)", blob_read.clone());
    Metrics {
        registry,
        requests,
        answers,
        recomputations,
        sse_clients,
        pool_connections,
        pool_idle,
        blob_written,
        blob_read,
    }
});

impl Metrics {
    /// The text exposition of every metric.
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }

    pub fn answered(&self, verdict: &str) {
        self.answers.get_or_create(&VerdictLabels { verdict: verdict.to_owned() }).inc();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_names_each_family_with_its_labels() {
        METRICS.answered("incorrect");
        let labels = RequestLabels { method: "GET".into(), route: "/healthz".into(), status: 200 };
        METRICS.requests.get_or_create(&labels).inc();
        let text = METRICS.render();
        assert!(text.contains("mwscup_answers_total{verdict=\"incorrect\"}"), "{text}");
        assert!(
            text.contains("mwscup_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"}"),
            "{text}"
        );
        assert!(text.contains("# TYPE mwscup_sse_clients gauge"), "{text}");
        assert!(text.contains("# TYPE mwscup_blob_read_bytes counter"), "{text}");
        assert!(text.trim_end().ends_with("# EOF"), "{text}");
    }
}
