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
