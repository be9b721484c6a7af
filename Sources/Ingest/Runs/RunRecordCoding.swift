import Foundation

extension JSONEncoder {
    /// Run records as JSON: ISO-8601 dates, snake_case keys, sorted (for `--json` and `ingest.run_steps.quota`).
    public static var runRecords: JSONEncoder {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .iso8601
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.sortedKeys]
        return e
    }
}

extension JSONDecoder {
    public static var runRecords: JSONDecoder {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        d.keyDecodingStrategy = .convertFromSnakeCase
        return d
    }
}
