import ArgumentParser
import EventLog

/// The one check of a numeric option's range, so every command refuses a value it cannot
/// use the same way (a usage error naming the option, the value and what is accepted)
/// instead of crashing or quietly doing something else.
enum NumericOption {
    static func require<T: BinaryInteger>(_ name: String, _ value: T, atLeast minimum: T) throws {
        guard value >= minimum else { throw ValidationError("\(name) must be at least \(minimum) (got \(value))") }
    }
}

/// `--batch-size`: events read and folded per batch (the one default, ``EventLog/defaultBatchSize``).
struct BatchSizeOption: ParsableArguments {
    @Option(help: "Events per batch (at least 1).") var batchSize = EventLog.defaultBatchSize

    func validate() throws { try NumericOption.require("--batch-size", batchSize, atLeast: 1) }
}

/// `--parallel`: connections folding (and restoring) concurrently.
struct ParallelOption: ParsableArguments {
    @Option(help: "Connections folding projections concurrently (1: one after another).") var parallel = 4

    func validate() throws { try NumericOption.require("--parallel", parallel, atLeast: 1) }
}
