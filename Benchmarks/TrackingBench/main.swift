import Foundation

// TrackingBench: the tracking benchmark (`scripts/bench tracking`) and the writer, reader and
// verifier processes of the tracking concurrency and crash tests.
//
//   TrackingBench bench  [--points N] [--batch N] [--runs N] [--repeat N] [--json] [--list-db PATH]
//   TrackingBench write  --db PATH --batches N --batch-size N [--experiment E] [--key K]
//   TrackingBench read   --db PATH --run ID --until N --batch-size N [--timeout S]
//   TrackingBench verify --db PATH --run ID --batch-size N
//   TrackingBench seed   --db PATH

let arguments = Array(CommandLine.arguments.dropFirst())
let mode = arguments.first.flatMap { $0.hasPrefix("-") ? nil : $0 } ?? "bench"
let options = BenchOptions(Array(arguments.drop { !$0.hasPrefix("-") }))

do {
    switch mode {
    case "bench": try LoggingBench(options).run()
    case "write": try ConcurrencyRoles.write(options)
    case "read": try ConcurrencyRoles.read(options)
    case "verify": try ConcurrencyRoles.verify(options)
    case "seed": try CLIFixture.seed(options)
    default:
        FileHandle.standardError.write(
            Data("unknown mode '\(mode)'; expected bench, write, read, verify or seed\n".utf8))
        exit(2)
    }
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
