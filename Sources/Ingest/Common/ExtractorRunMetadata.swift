import CanonicalJSON
import Foundation

/// The metadata every ingested event carries: `{"run_id", "endpoint"}` (see ARCHITECTURE.md).
///
/// `endpoint` is the request path without its query string, so a cursor or anything
/// else carried in a query never reaches the log.
enum ExtractorRunMetadata {
    static func json(runID: UUID, endpoint: String) -> JSONValue {
        let path = endpoint.split(separator: "?", maxSplits: 1).first.map(String.init) ?? endpoint
        return .object(["run_id": .string(runID.uuidString.lowercased()), "endpoint": .string(path)])
    }
}
