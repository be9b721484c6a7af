import CanonicalJSON

/// What a rule matches and what it does, as stored in `rule.defined` / `rule.changed`
/// payloads (`"rule": {…}`) and in the `rules` table. One type for the writer (validation),
/// the fold (the `rules` row) and the preview (the draft), so the three agree on every field.
///
/// Matching (``RuleMatching``): every stated condition must hold — `provider` and `account_id`
/// equal; `counterparty` and `description` are case-insensitive substrings; `description_regex`
/// is a case-insensitive PostgreSQL regular expression; `amount_min`/`amount_max` bound the
/// absolute amount (inclusive); `sign` is `debit` (amount < 0) or `credit` (amount > 0).
/// Effect: `category_id` sets the category (the first matching rule in list order that sets
/// one wins), `tags` are added (from every matching rule).
public struct RuleDefinition: Sendable, Hashable {
    public enum Sign: String, Sendable, CaseIterable { case debit, credit }

    public var provider: String?
    public var accountID: String?
    public var counterparty: String?
    public var description: String?
    public var descriptionRegex: String?
    /// Decimal literals, as given.
    public var amountMin: String?
    public var amountMax: String?
    public var sign: Sign?
    public var categoryID: String?
    public var tags: [String]

    public init(provider: String? = nil, accountID: String? = nil, counterparty: String? = nil, description: String? = nil, descriptionRegex: String? = nil,
                amountMin: String? = nil, amountMax: String? = nil, sign: Sign? = nil, categoryID: String? = nil, tags: [String] = []) {
        self.provider = provider
        self.accountID = accountID
        self.counterparty = counterparty
        self.description = description
        self.descriptionRegex = descriptionRegex
        self.amountMin = amountMin
        self.amountMax = amountMax
        self.sign = sign
        self.categoryID = categoryID
        self.tags = tags
    }

    /// Whether it states no condition at all (it would match every transaction).
    public var matchesEverything: Bool {
        provider == nil && accountID == nil && counterparty == nil && description == nil && descriptionRegex == nil && amountMin == nil && amountMax == nil && sign == nil
    }

    /// Whether it does nothing (no category, no tags).
    public var hasNoEffect: Bool { categoryID == nil && tags.isEmpty }

    /// The payload form (absent fields omitted).
    public var json: JSONValue {
        var o: [String: JSONValue] = ["tags": .array(tags.map(JSONValue.string))]
        func put(_ key: String, _ v: String?) { if let v { o[key] = .string(v) } }
        put("provider", provider); put("account_id", accountID); put("counterparty", counterparty); put("description", description)
        put("description_regex", descriptionRegex); put("category_id", categoryID); put("sign", sign?.rawValue)
        if let amountMin { o["amount_min"] = .number(amountMin) }
        if let amountMax { o["amount_max"] = .number(amountMax) }
        return .object(o)
    }

    /// Reads the payload form; unknown members are ignored, wrong types are errors naming the field.
    public init(json: JSONValue) throws(RuleDefinitionError) {
        guard case .object = json else { throw RuleDefinitionError(field: "rule", message: "must be an object") }
        func text(_ key: String) throws(RuleDefinitionError) -> String? {
            guard let v = json[key], !v.isNull else { return nil }
            guard let s = v.string else { throw RuleDefinitionError(field: key, message: "must be a string") }
            return s
        }
        func amount(_ key: String) throws(RuleDefinitionError) -> String? {
            guard let v = json[key], !v.isNull else { return nil }
            guard let n = v.numberText else { throw RuleDefinitionError(field: key, message: "must be a decimal number") }
            return n
        }
        var signValue: Sign? = nil
        if let s = try text("sign") {
            guard let parsed = Sign(rawValue: s) else { throw RuleDefinitionError(field: "sign", message: "must be `debit` or `credit`") }
            signValue = parsed
        }
        var tagList: [String] = []
        if let t = json["tags"], !t.isNull {
            guard let items = t.array else { throw RuleDefinitionError(field: "tags", message: "must be an array of strings") }
            for item in items {
                guard let s = item.string else { throw RuleDefinitionError(field: "tags", message: "must be an array of strings") }
                tagList.append(s)
            }
        }
        self.init(provider: try text("provider"), accountID: try text("account_id"), counterparty: try text("counterparty"), description: try text("description"),
                  descriptionRegex: try text("description_regex"), amountMin: try amount("amount_min"), amountMax: try amount("amount_max"), sign: signValue,
                  categoryID: try text("category_id"), tags: tagList)
    }
}

/// A rule payload member that is not what ``RuleDefinition`` expects.
public struct RuleDefinitionError: Error, Sendable, CustomStringConvertible {
    /// The payload member at fault, e.g. `amount_min`.
    public let field: String
    public let message: String
    public var description: String { "\(field): \(message)" }
}
