namespace Flow.Cli.Dev;

/// <summary>The local engine behind <c>flow dev</c>: in memory, or a SQLite file that is flushed and
/// closed on dispose.</summary>
internal sealed class LocalEngine : IAsyncDisposable
{
    private LocalEngine(ISwfClient client) => Client = client;

    public ISwfClient Client { get; }

    // TEMPORARY until the `local` branch lands: replaced by Flow.Local's LocalSwf.
    public static LocalEngine Open(string? databasePath, TimeSpan? longPollHold)
        => new(new NoEngineClient());

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
