import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import OpenAPIRuntime

/// Turns every error a route throws into an RFC 9457 `application/problem+json` answer.
///
/// ``APIProblem``s (thrown by handlers and middleware, possibly wrapped by the generated
/// server in a `ServerError`) are answered as they are. A request the generated code
/// could not decode (a parameter of the wrong type, a bad body) is a 400 naming the
/// parameter when the error says which. Anything else is a 500 whose body says only that
/// the log has the details: never SQL text, a stack trace or a secret.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let problem = ProblemMapping.problem(for: error, request: request, logger: logger)
            return Self.response(problem)
        }
    }

    static func response(_ problem: APIProblem) -> Response {
        var headers: HTTPFields = [.contentType: APIProblem.contentType]
        if problem.status == .unauthorized { headers[.wwwAuthenticate] = "Bearer realm=\"finsync\"" }
        return Response(status: problem.status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: problem.json)))
    }
}

/// Which problem answers an error thrown while answering a request.
enum ProblemMapping {
    static func problem(for error: any Error, request: Request, logger: Logger) -> APIProblem {
        if let p = error as? APIProblem { return p }
        if let s = error as? ServerError {
            if let p = s.underlyingError as? APIProblem { return p }
            if s.httpStatus.kind == .clientError {
                let parameter = Self.parameterName(in: "\(s.underlyingError)", request: request)
                return APIProblem(s.httpStatus == .unsupportedMediaType ? .badRequest : .badParameter, status: s.httpStatus,
                                  title: parameter.map { "Invalid parameter \($0)" } ?? "Malformed request",
                                  detail: parameter.map { "\($0) has a value of the wrong type or form (see the API document)" }
                                      ?? "the request does not match the API document (\(s.httpStatus.reasonPhrase.lowercased()))",
                                  parameter: parameter)
            }
            logger.error("request \(request.method) \(request.uri.path) failed in \(s.operationID): \(type(of: s.underlyingError))")
            return .internalError
        }
        if let h = error as? HTTPError {
            switch h.status {
            case .notFound: return APIProblem(.notFound, status: .notFound, title: "Not found", detail: "no route \(request.uri.path)")
            case .methodNotAllowed: return APIProblem(.badRequest, status: .methodNotAllowed, title: "Method not allowed", detail: "\(request.method) is not allowed on \(request.uri.path)")
            default: return APIProblem(.badRequest, status: h.status, title: h.status.reasonPhrase, detail: "the request cannot be answered (\(h.status.code))")
            }
        }
        logger.error("request \(request.method) \(request.uri.path) failed: \(type(of: error))")
        return .internalError
    }

    /// Which of the request's query parameters the generated decoder refused: the one its
    /// error names, else the first whose value is not of its declared type (the document's
    /// non-string query parameters are the only ones the decoder can refuse); the value is
    /// never echoed.
    static func parameterName(in text: String, request: Request) -> String? {
        let items = request.uri.queryParameters.map { (String($0.key), String($0.value)) }
        if let named = items.first(where: { text.contains("\"\($0.0)\"") || text.contains("'\($0.0)'") }) { return named.0 }
        return items.first { name, value in typedQueryParameters[name].map { !$0(value) } ?? false }?.0
    }

    /// The document's query parameters that are not free strings, and what they accept.
    static let typedQueryParameters: [String: @Sendable (String) -> Bool] = [
        "limit": { Int($0) != nil },
        "status": { ["booked", "pending"].contains($0) },
        "type": { ["bank", "investment", "trading"].contains($0) },
        "uncategorised": { ["true", "false"].contains($0) },
    ]
}
