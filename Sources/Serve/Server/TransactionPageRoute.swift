import Foundation
import HTTPTypes
@_spi(Generated) import OpenAPIRuntime

/// The generated routes, registered as they are, except that `GET /v1/transactions` writes
/// its page with ``Components/Schemas/TransactionPage/jsonText`` instead of `JSONEncoder`.
///
/// Why: the page is the API's hot, large answer, and `JSONEncoder` took nearly half of its
/// server CPU (`finsync bench api`); with two cores shared by the server, PostgreSQL and the
/// clients, that CPU is what sets the tail latency. The generated code cannot be given
/// another encoder, so this decorator answers the route itself, with the generated pieces:
/// it reads the parameters through the same runtime `Converter` calls the generated route
/// makes (the names are those of the document, checked by `TransactionPageRouteTests`) and
/// asks the handler for the same page (``APIHandlers/transactionPage(_:)``; the ETag is set
/// by ``ETagMiddleware`` either way). A request it cannot read — a parameter the runtime
/// refuses, an `Accept` that refuses JSON — goes to the generated route, which answers it
/// exactly as before; an error the handler throws propagates as from the generated route
/// (``ProblemMiddleware`` answers both alike).
struct TransactionPageRoute: ServerTransport {
    static var path: String { "/v1/transactions" }

    let base: any ServerTransport
    let handlers: APIHandlers
    let converter: Converter

    init(base: any ServerTransport, handlers: APIHandlers, configuration: Configuration) {
        self.base = base
        self.handlers = handlers
        self.converter = Converter(configuration: configuration)
    }

    func register(_ handler: @escaping @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?),
                  method: HTTPRequest.Method, path: String) throws {
        guard method == .get, path == Self.path else { return try base.register(handler, method: method, path: path) }
        let handlers = self.handlers, converter = self.converter
        try base.register({ request, body, metadata in
            guard let input = try? Self.input(request, converter: converter),
                  (try? converter.validateAcceptIfPresent("application/json", in: request.headerFields)) != nil else {
                return try await handler(request, body, metadata)
            }
            let page = try await handlers.transactionPage(input)
            var response = HTTPResponse(status: .ok)
            response.headerFields[.contentType] = "application/json; charset=utf-8"
            return (response, HTTPBody(page.jsonText))
        }, method: method, path: path)
    }

    /// The operation's query parameters, as the document names them (each read below; the
    /// set is held to the document by `TransactionPageRouteTests`).
    enum Parameter: String, CaseIterable {
        case accountId = "account_id", status, bookedFrom = "booked_from", bookedTo = "booked_to", amountMin = "amount_min", amountMax = "amount_max"
        case category, tag, uncategorised, q, limit, cursor
    }

    /// The operation's input, read as the generated route reads it.
    static func input(_ request: HTTPRequest, converter: Converter) throws -> Operations.ListTransactions.Input {
        func query<T: Decodable>(_ parameter: Parameter, _ type: T.Type) throws -> T? {
            try converter.getOptionalQueryItemAsURI(in: request.soar_query, style: .form, explode: true, name: parameter.rawValue, as: type)
        }
        return Operations.ListTransactions.Input(
            query: .init(
                accountId: try query(.accountId, String.self), status: try query(.status, Components.Schemas.TransactionStatus.self),
                bookedFrom: try query(.bookedFrom, String.self), bookedTo: try query(.bookedTo, String.self),
                amountMin: try query(.amountMin, Components.Schemas.Decimal.self), amountMax: try query(.amountMax, Components.Schemas.Decimal.self),
                category: try query(.category, String.self), tag: try query(.tag, String.self), uncategorised: try query(.uncategorised, Bool.self),
                q: try query(.q, String.self), limit: try query(.limit, Int.self), cursor: try query(.cursor, String.self)),
            headers: .init(ifNoneMatch: try converter.getOptionalHeaderFieldAsURI(in: request.headerFields, name: "If-None-Match", as: Components.Parameters.IfNoneMatch.self),
                           accept: try converter.extractAcceptHeaderIfPresent(in: request.headerFields)))
    }
}
