using Microsoft.Extensions.Logging;

namespace Flow.Workflows;

/// <summary>Logs only when the workflow code runs for the first time, so a replay does not repeat its messages.</summary>
internal sealed class ReplaySafeLogger(WorkflowContext context, ILogger inner) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => !context.IsReplaying && inner.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!context.IsReplaying)
            inner.Log(logLevel, eventId, state, exception, formatter);
    }
}
