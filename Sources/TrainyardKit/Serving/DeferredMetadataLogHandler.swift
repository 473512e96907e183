import Logging

/// `StreamLogHandler` (standard error, swift-log's default) that renders its metadata only when
/// a message is written. Hummingbird gives every request a logger with its own request id, and
/// `StreamLogHandler` re-renders the whole metadata string on each such change — about a
/// microsecond and a half per request, for messages below the level that are never written.
package struct DeferredMetadataLogHandler: LogHandler {
    private var stream: StreamLogHandler
    package var metadata: Logger.Metadata = [:]

    package init(label: String) {
        stream = StreamLogHandler.standardError(label: label)
    }

    package var logLevel: Logger.Level {
        get { stream.logLevel }
        set { stream.logLevel = newValue }
    }

    package var metadataProvider: Logger.MetadataProvider? {
        get { stream.metadataProvider }
        set { stream.metadataProvider = newValue }
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        var stream = stream
        stream.metadata = metadata
        stream.log(event: event)
    }
}
