/// One thing wrong with the configuration, named by its key (e.g. `schedule.timezone`).
public struct ConfigurationProblem: Sendable, Hashable, CustomStringConvertible {
    public var key: String
    public var message: String
    public init(key: String, message: String) {
        self.key = key
        self.message = message
    }
    public var description: String { "\(key): \(message)" }
}

/// The configuration could not be used; lists every problem.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public var path: String?
    public var problems: [ConfigurationProblem]
    public init(path: String?, problems: [ConfigurationProblem]) {
        self.path = path
        self.problems = problems
    }
    public var description: String {
        "configuration \(path ?? "(defaults and environment)") has \(problems.count) problem(s):\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}
