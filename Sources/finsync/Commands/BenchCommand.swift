import ArgumentParser

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks that print measured figures (build with -c release).",
        subcommands: [EventLogBenchmark.self, RebuildBenchmark.self, ReplayBenchmark.self, APIBenchmark.self]
    )
}
