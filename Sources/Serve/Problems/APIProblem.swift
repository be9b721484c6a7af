import Foundation
import HTTPTypes

/// An RFC 9457 problem the API answers with (`application/problem+json`).
///
/// Its text is written for the person calling the API and never holds SQL text, a stack
/// trace, a secret or another row's data: handlers build it from what the caller sent.
public struct APIProblem: Error, Sendable, Hashable {
    /// Short, stable identifiers; the `type` URI is `https://finsync.dev/problems/<code>`.
    public enum Code: String, Sendable, Hashable {
        case badParameter = "bad-parameter"
        case badCursor = "bad-cursor"
        case notFound = "not-found"
        case unauthorized
        case forbidden
        case syncInProgress = "sync-in-progress"
        case notConfigured = "not-configured"
        case providerFailed = "provider-failed"
        case unavailable
        case badRequest = "bad-request"
        case internalError = "internal-error"
        case preconditionFailed = "precondition-failed"
    }

    public var code: Code
    public var status: HTTPResponse.Status
    public var title: String
    public var detail: String
    /// The query, path or body parameter at fault.
    public var parameter: String?
    /// The run in progress (a 409 on `POST /v1/sync`).
    public var runID: UUID?

    public init(_ code: Code, status: HTTPResponse.Status, title: String, detail: String, parameter: String? = nil, runID: UUID? = nil) {
        self.code = code
        self.status = status
        self.title = title
        self.detail = detail
        self.parameter = parameter
        self.runID = runID
    }

    /// A malformed parameter, named.
    public static func badParameter(_ name: String, _ detail: String) -> APIProblem {
        APIProblem(.badParameter, status: .badRequest, title: "Invalid parameter \(name)", detail: detail, parameter: name)
    }

    /// No such resource.
    public static func notFound(_ what: String, _ id: String) -> APIProblem {
        APIProblem(.notFound, status: .notFound, title: "No such \(what)", detail: "there is no \(what) with id \(id)", parameter: "id")
    }

    static let internalError = APIProblem(.internalError, status: .internalServerError, title: "Internal error",
                                          detail: "the server could not answer; the details are in its log")

    static let unavailable = APIProblem(.unavailable, status: .serviceUnavailable, title: "Database unavailable",
                                        detail: "the database cannot be reached right now; try again shortly")

    /// The JSON body.
    public var json: Data {
        var object: [String: Any] = [
            "type": "https://finsync.dev/problems/\(code.rawValue)",
            "title": title,
            "status": status.code,
            "detail": detail,
        ]
        if let parameter { object["parameter"] = parameter }
        if let runID { object["run_id"] = runID.uuidString.lowercased() }
        return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
    }

    public static let contentType = "application/problem+json"
}
