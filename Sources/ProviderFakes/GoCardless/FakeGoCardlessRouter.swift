import CanonicalJSON
import Foundation
import Hummingbird

/// Answers one request from the scenario.
struct FakeGoCardlessRouter: Sendable {
    let scenario: GoCardlessScenario
    let origin: String

    typealias Field = HTTPFields.Element

    func respond(to request: Request) async -> Response {
        var request = request
        let path = request.uri.path
        let query = Dictionary(request.uri.queryParameters.map { (String($0.key), String($0.value)) }, uniquingKeysWith: { a, _ in a })
        let body = (try? await request.collectBody(upTo: 1 << 20)).map { Array($0.readableBytesView) } ?? []
        let method = request.method.rawValue
        var parts = path.split(separator: "/").map(String.init)
        if parts.first == "ob-psd2" { return consent(query) }
        guard parts.count >= 2, parts[0] == "api", parts[1] == "v2" else { return error(404, "Not found.", "Not found.") }
        parts.removeFirst(2)

        // Which endpoint, for counting and faults.
        let endpoint: GoCardlessEndpoint
        var account: String?
        switch (parts.first, parts.count) {
        case ("token", _): endpoint = parts.count > 1 && parts[1] == "refresh" ? .tokenRefresh : .tokenNew
        case ("institutions", _): endpoint = .institutions
        case ("agreements", _): endpoint = .agreements
        case ("requisitions", _): endpoint = .requisitions
        case ("accounts", 2): endpoint = .account; account = parts[1]
        case ("accounts", 3):
            account = parts[1]
            switch parts[2] {
            case "details": endpoint = .details
            case "balances": endpoint = .balances
            case "transactions": endpoint = .transactions
            default: return error(404, "Not found.", "Not found.")
            }
        default: return error(404, "Not found.", "Not found.")
        }
        let fault = scenario.state.withLock { s -> GoCardlessFault? in
            s.calls[GoCardlessScenario.key(endpoint, nil), default: 0] += 1
            if let account { s.calls[GoCardlessScenario.key(endpoint, account), default: 0] += 1 }
            for k in [account.map { GoCardlessScenario.key(endpoint, $0) }, GoCardlessScenario.key(endpoint, nil)].compactMap({ $0 }) {
                if var list = s.faults[k], !list.isEmpty {
                    let f = list.removeFirst()
                    s.faults[k] = list
                    return f
                }
            }
            return nil
        }
        switch fault {
        case .delay(let d)?: try? await Task.sleep(for: d)
        case .serverError(let status)?:
            return json(status, ["summary": "Couldn't update account data", "detail": "Request to Institution returned an error", "type": "UnknownRequestError", "status_code": .number(String(status))])
        case .rateLimited(let reset)?:
            return json(429, ["summary": "Rate limit exceeded", "detail": .string("The rate limit for this resource is 100/minute. Please try again in \(reset) seconds"), "status_code": 429],
                        headers: ["HTTP_X_RATELIMIT_LIMIT": "100", "HTTP_X_RATELIMIT_REMAINING": "0", "HTTP_X_RATELIMIT_RESET": String(reset)])
        case .malformedBody?:
            return raw(200, Array(#"{"transactions": {"booked": [{"transactionId": "2024122801773517-1", "transactionAmount": {"amount": "-12.0"#.utf8))
        case .accountRateLimited(let reset)?:
            return json(429, ["summary": "Couldn't update account data", "detail": "Daily request limit set by the Institution has been exceeded.", "type": "RateLimitError", "status_code": 429],
                        headers: ["HTTP_X_RATELIMIT_ACCOUNT_SUCCESS_LIMIT": String(scenario.accountQuota), "HTTP_X_RATELIMIT_ACCOUNT_SUCCESS_REMAINING": "0",
                                  "HTTP_X_RATELIMIT_ACCOUNT_SUCCESS_RESET": String(reset)])
        case .trickle(let every)?:
            return trickle(every: every)
        case .redirect(let status, let target)?:
            var fields = HTTPFields()
            fields.append(Field(name: Field.Name("Location")!, value: target))
            return Response(status: .init(code: status), headers: fields)
        case .echoCredentials?:
            if endpoint == .tokenNew, let b = try? JSONValue.parse(body) {
                return error(401, "Authentication failed", "No active account found for secret_id \(b["secret_id"]?.string ?? "") (secret_key \(b["secret_key"]?.string ?? ""))")
            }
            let auth = request.headers.first { $0.name.rawName.lowercased() == "authorization" }?.value ?? ""
            return error(401, "Invalid token", "Token \(auth.dropFirst(7)) is invalid or expired")
        case nil: break
        }

        switch endpoint {
        case .tokenNew, .tokenRefresh: return token(endpoint, body: body)
        default: break
        }
        guard let auth = request.headers.first(where: { $0.name.rawName.lowercased() == "authorization" })?.value, auth.hasPrefix("Bearer "),
              scenario.tokenValid(String(auth.dropFirst(7)), kind: "access") else {
            return error(401, "Invalid token", "Token is invalid or expired")
        }
        switch endpoint {
        case .institutions: return institutions(parts, query)
        case .agreements: return method == "POST" ? createAgreement(body) : agreements(parts, query)
        case .requisitions: return method == "POST" ? createRequisition(body) : requisitions(parts, query)
        case .account, .details, .balances, .transactions:
            guard let account else { return error(404, "Not found.", "Not found.") }
            return accountData(endpoint, account, query)
        case .tokenNew, .tokenRefresh: return error(404, "Not found.", "Not found.")
        }
    }

    // MARK: Tokens

    func token(_ endpoint: GoCardlessEndpoint, body: [UInt8]) -> Response {
        guard let b = try? JSONValue.parse(body) else { return error(400, "Invalid request", "body must be JSON") }
        if endpoint == .tokenNew {
            guard b["secret_id"]?.string == scenario.secretID, b["secret_key"]?.string == scenario.secretKey else {
                return error(401, "Authentication failed", "No active account found with the given credentials")
            }
            let access = scenario.issueToken(kind: "access", lifetime: scenario.accessTokenLifetime)
            let refresh = scenario.issueToken(kind: "refresh", lifetime: 30 * 86_400)
            return json(200, ["access": .string(access), "access_expires": .number(String(Int(scenario.accessTokenLifetime))), "refresh": .string(refresh), "refresh_expires": 2_592_000])
        }
        guard let r = b["refresh"]?.string, scenario.tokenValid(r, kind: "refresh") else { return error(401, "Invalid token", "Token is invalid or expired") }
        let access = scenario.issueToken(kind: "access", lifetime: scenario.accessTokenLifetime)
        return json(200, ["access": .string(access), "access_expires": .number(String(Int(scenario.accessTokenLifetime)))])
    }

    // MARK: Institutions, agreements, requisitions

    func institutions(_ parts: [String], _ query: [String: String]) -> Response {
        let all = scenario.state.withLock { $0.institutions }
        if parts.count >= 2 {
            guard let i = all.first(where: { $0["id"]?.string == parts[1] }) else { return error(404, "Not found.", "Not found.") }
            return json(200, i)
        }
        guard let country = query["country"]?.uppercased() else { return json(200, .array(all.filter { $0["id"]?.string != "SANDBOXFINANCE_SFIN0000" })) }
        guard country.count == 2, country != "XX" else {
            return json(400, ["country": ["summary": "Invalid country choice.", "detail": .string("\(country) is not a valid choice.")], "status_code": 400])
        }
        return json(200, .array(all.filter { $0["id"]?.string != "SANDBOXFINANCE_SFIN0000" && ($0["countries"]?.array ?? []).contains(.string(country)) }))
    }

    func page(_ items: [JSONValue], _ path: String, _ query: [String: String]) -> Response {
        let limit = min(max(1, Int(query["limit"] ?? "100") ?? 100), scenario.maxPageSize)
        let offset = max(0, Int(query["offset"] ?? "0") ?? 0)
        let slice = offset < items.count ? Array(items[offset..<min(items.count, offset + limit)]) : []
        let next: JSONValue = offset + limit < items.count ? .string("\(origin)/api/v2/\(path)/?limit=\(limit)&offset=\(offset + limit)") : .null
        let previous: JSONValue = offset > 0 ? .string("\(origin)/api/v2/\(path)/?limit=\(limit)&offset=\(max(0, offset - limit))") : .null
        return json(200, ["count": .number(String(items.count)), "next": next, "previous": previous, "results": .array(slice)])
    }

    func agreements(_ parts: [String], _ query: [String: String]) -> Response {
        let all = scenario.state.withLock { $0.agreements }
        if parts.count >= 3 {
            guard UUID(uuidString: parts[2]) != nil else {
                return error(400, "Invalid EndUserAgreement ID", "\(parts[2]) is not a valid EndUserAgreement UUID. ")
            }
            guard let a = all.first(where: { $0["id"]?.string == parts[2] }) else { return error(404, "Not found.", "Not found.") }
            return json(200, a)
        }
        return page(all, "agreements/enduser", query)
    }

    func requisitions(_ parts: [String], _ query: [String: String]) -> Response {
        let all = scenario.state.withLock { $0.requisitions }
        if parts.count >= 2 {
            guard let r = all.first(where: { $0["id"]?.string == parts[1] }) else { return error(404, "Not found.", "Not found.") }
            return json(200, r)
        }
        return page(all, "requisitions", query)
    }

    func createAgreement(_ body: [UInt8]) -> Response {
        guard let b = try? JSONValue.parse(body) else { return error(400, "Invalid request", "body must be JSON") }
        guard let iid = b["institution_id"]?.string else { return json(400, ["institution_id": ["This field is required."], "status_code": 400]) }
        guard let inst = scenario.state.withLock({ s in s.institutions.first { $0["id"]?.string == iid } }) else {
            return json(400, ["institution_id": ["summary": .string("Unknown Institution ID \(iid)"), "detail": "Get Institution IDs from /institutions/?country={$COUNTRY_CODE}"], "status_code": 400])
        }
        let maxDays = Int(inst["transaction_total_days"]?.string ?? "90") ?? 90
        let maxAccess = Int(inst["max_access_valid_for_days"]?.string ?? "90") ?? 90
        let hist = b["max_historical_days"]?.int ?? 90, access = b["access_valid_for_days"]?.int ?? 90
        var problems: [String: JSONValue] = [:]
        if !(1...maxDays).contains(hist) {
            problems["max_historical_days"] = ["summary": "Incorrect max_historical_days", "detail": .string("max_historical_days must be > 0 and <= \(iid) transaction_total_days (\(maxDays))")]
        }
        if !(1...maxAccess).contains(access) {
            problems["access_valid_for_days"] = ["summary": "Incorrect access_valid_for_days", "detail": .string("access_valid_for_days must be > 0 and <= \(maxAccess)")]
        }
        if !problems.isEmpty { problems["status_code"] = 400; return json(400, .object(problems)) }
        let a: JSONValue = ["id": .string(UUID().uuidString.lowercased()), "created": .string(FakeDates.iso(scenario.now())), "institution_id": .string(iid),
                            "max_historical_days": .number(String(hist)), "access_valid_for_days": .number(String(access)),
                            "access_scope": b["access_scope"] ?? ["balances", "details", "transactions"], "accepted": .null]
        scenario.addAgreement(a)
        return json(201, a)
    }

    func createRequisition(_ body: [UInt8]) -> Response {
        guard let b = try? JSONValue.parse(body) else { return error(400, "Invalid request", "body must be JSON") }
        var problems: [String: JSONValue] = [:]
        if (b["redirect"]?.string ?? "").isEmpty { problems["redirect"] = ["This field may not be blank."] }
        if (b["institution_id"]?.string ?? "").isEmpty { problems["institution_id"] = ["This field may not be blank."] }
        if let ref = b["reference"]?.string, scenario.state.withLock({ s in s.requisitions.contains { $0["reference"]?.string == ref } }) {
            problems["reference"] = ["summary": "Client reference must be unique", "detail": .string("Client reference '\(ref)' already exists")]
        }
        guard problems.isEmpty, let iid = b["institution_id"]?.string, let redirect = b["redirect"] else {
            problems["status_code"] = 400
            return json(400, .object(problems))
        }
        let id = UUID().uuidString.lowercased(), linkID = UUID().uuidString.lowercased()
        let r: JSONValue = ["id": .string(id), "created": .string(FakeDates.iso(scenario.now())), "redirect": redirect, "status": "CR",
                            "institution_id": .string(iid), "agreement": b["agreement"] ?? .string(UUID().uuidString.lowercased()),
                            "reference": b["reference"] ?? .string(id), "accounts": [], "user_language": b["user_language"] ?? "EN",
                            "link": .string("\(origin)/ob-psd2/start/\(linkID)/\(iid)?requisition=\(id)"), "ssn": .null,
                            "account_selection": false, "redirect_immediate": false]
        scenario.addRequisition(r)
        return json(201, r)
    }

    /// The consent page: the person "agrees", the requisition links, and they are sent back
    /// to the redirect URL with `?ref=<reference>` (or `&error=…` for an unknown link).
    func consent(_ query: [String: String]) -> Response {
        guard let id = query["requisition"], let target = scenario.completeConsent(requisitionID: id) else {
            let back = query["requisition"].flatMap { scenario.requisition($0)?["redirect"]?.string } ?? "http://localhost/"
            var fields = HTTPFields()
            fields.append(Field(name: Field.Name("Location")!, value: back + "?error=RequisitionLinkReused&details=This+link+was+already+used."))
            return Response(status: .init(code: 302), headers: fields)
        }
        var fields = HTTPFields()
        fields.append(Field(name: Field.Name("Location")!, value: target))
        return Response(status: .init(code: 302), headers: fields)
    }

    // MARK: Accounts

    func accountData(_ endpoint: GoCardlessEndpoint, _ id: String, _ query: [String: String]) -> Response {
        guard UUID(uuidString: id) != nil else { return error(400, "Invalid Account ID", "\(id) is not a valid Account UUID. ") }
        let now = scenario.now()
        enum Outcome { case notFound, suspended, expired(String), spent(Int), ok(GoCardlessScenario.Account, remaining: Int?, reset: Int?) }
        let outcome: Outcome = scenario.state.withLock { s in
            guard let a = s.accounts[id] else { return .notFound }
            if s.suspendedAccounts.contains(id) { return .suspended }
            if endpoint.isAccountData {
                let agreement = s.requisitions.first { $0["id"]?.string == a.requisitionID }?["agreement"]?.string ?? ""
                if s.expiredAgreements.contains(agreement) { return .expired(agreement) }
                let key = GoCardlessScenario.key(endpoint, id)
                let recent = (s.successes[key] ?? []).filter { now.timeIntervalSince($0) < 86_400 }
                let reset = recent.first.map { Int((86_400 - now.timeIntervalSince($0)).rounded(.up)) } ?? 86_400
                if recent.count >= scenario.accountQuota { return .spent(reset) }
                s.successes[key] = recent + [now]
                return .ok(a, remaining: scenario.accountQuota - recent.count - 1, reset: reset)
            }
            return .ok(a, remaining: nil, reset: nil)
        }
        var headers = ["HTTP_X_RATELIMIT_LIMIT": "100", "HTTP_X_RATELIMIT_REMAINING": "99", "HTTP_X_RATELIMIT_RESET": "60"]
        switch outcome {
        case .notFound: return error(404, "Account ID \(id) not found", "Please check whether you specified a valid Account ID")
        case .suspended: return error(409, "Account suspended", "This account or its requisition was suspended due to numerous errors that occurred while accessing it.")
        case .expired(let agreement):
            return error(401, "End User Agreement (EUA) \(agreement) has expired",
                         "EUA was valid for 90 days and it expired at \(FakeDates.iso(now.addingTimeInterval(-3600))). The end user must connect the account once more with new EUA and Requisition")
        case .spent(let reset):
            headers["HTTP_X_RATELIMIT_ACCOUNT_SUCCESS_LIMIT"] = String(scenario.accountQuota)
            headers["HTTP_X_RATELIMIT_ACCOUNT_SUCCESS_REMAINING"] = "0"
            headers["HTTP_X_RATELIMIT_ACCOUNT_SUCCESS_RESET"] = String(reset)
            let what = endpoint == .details ? "account details" : endpoint.rawValue
            return json(429, ["summary": .string("Couldn't update \(what)"), "detail": "Daily request limit set by the Institution has been exceeded.", "type": "RateLimitError", "status_code": 429], headers: headers)
        case .ok(let a, let remaining, let reset):
            if let remaining, let reset, scenario.sendsAccountSuccessHeaders {
                headers["HTTP_X_RATELIMIT_ACCOUNT_SUCCESS_LIMIT"] = String(scenario.accountQuota)
                headers["HTTP_X_RATELIMIT_ACCOUNT_SUCCESS_REMAINING"] = String(remaining)
                headers["HTTP_X_RATELIMIT_ACCOUNT_SUCCESS_RESET"] = String(reset)
            }
            switch endpoint {
            case .account:
                var meta = a.metadata
                if case .object(var o) = meta { o["last_accessed"] = .string(FakeDates.iso(now)); meta = .object(o) }
                return json(200, meta, headers: headers)
            case .details: return json(200, ["account": a.details], headers: headers)
            case .balances: return json(200, ["balances": .array(a.balances)], headers: headers)
            default:
                let today = FakeDates.day(now)
                let from = query["date_from"], to = query["date_to"]
                for (k, v) in [("date_from", from), ("date_to", to)] {
                    if let v, v > today {
                        return json(400, [k: ["summary": "Date can't be in future", "detail": .string("'\(v)' can't be greater than \(today). Specify correct date range")], "status_code": 400])
                    }
                }
                if let from, let to, from > to {
                    return json(400, ["summary": "Incorrect date range", "detail": .string("Starting date '\(from)' is greater than end date '\(to)'. When specifying date range, starting date must precede the end date"), "status_code": 400])
                }
                func inRange(_ t: JSONValue) -> Bool {
                    let dates = [t["bookingDate"]?.string, t["valueDate"]?.string].compactMap { $0 }
                    guard !dates.isEmpty else { return false }
                    return dates.contains { d in (from.map { d >= $0 } ?? true) && (to.map { d <= $0 } ?? true) }
                }
                return json(200, ["transactions": ["booked": .array(a.booked.filter(inRange)), "pending": .array(a.pending.map(\.item).filter(inRange))],
                                  "last_updated": .string(FakeDates.iso(now))], headers: headers)
            }
        }
    }

    // MARK: Responses

    /// 200 with headers at once and a body that never ends: `{"transactions": ` and then one
    /// space every `every` (still valid JSON so far), until the client disconnects.
    func trickle(every: Duration) -> Response {
        var fields = HTTPFields()
        fields.append(Field(name: Field.Name("Content-Type")!, value: "application/json"))
        return Response(status: .ok, headers: fields, body: ResponseBody { writer in
            try await writer.write(ByteBuffer(string: #"{"transactions": "#))
            while !Task.isCancelled {
                try await Task.sleep(for: every)
                try await writer.write(ByteBuffer(string: " "))
            }
            try await writer.finish(nil)
        })
    }

    func json(_ status: Int, _ value: JSONValue, headers: [String: String] = [:]) -> Response {
        raw(status, value.canonicalBytes, headers: headers)
    }

    func raw(_ status: Int, _ bytes: [UInt8], headers: [String: String] = [:]) -> Response {
        var fields = HTTPFields()
        fields.append(Field(name: Field.Name("Content-Type")!, value: "application/json"))
        // The general API limit comes on every answer (the account-success ones only on account data).
        var headers = headers
        for (k, v) in [("HTTP_X_RATELIMIT_LIMIT", "100"), ("HTTP_X_RATELIMIT_REMAINING", "99"), ("HTTP_X_RATELIMIT_RESET", "60")] where headers[k] == nil { headers[k] = v }
        for (k, v) in headers.sorted(by: { $0.key < $1.key }) {
            if let name = Field.Name(k) { fields.append(Field(name: name, value: v)) }
        }
        return Response(status: .init(code: status), headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    func error(_ status: Int, _ summary: String, _ detail: String) -> Response {
        json(status, ["summary": .string(summary), "detail": .string(detail), "status_code": .number(String(status))])
    }
}
