using Flow.Swf;

namespace Flow.Generators.Tests.Runtime;

/// <summary>A context for running dispatch handlers directly, as a worker would.</summary>
internal sealed class TestActivityContext(CancellationToken cancellationToken = default) : ActivityExecutionContext
{
    public override string Domain => "test";
    public override string TaskToken => "token";
    public override string ActivityId => "1";
    public override ActivityType ActivityType => new() { Name = "test", Version = "1" };
    public override WorkflowExecution WorkflowExecution => new() { WorkflowId = "w", RunId = "r" };
    public override CancellationToken CancellationToken => cancellationToken;
    public override Task HeartbeatAsync(string? details = null) => Task.CompletedTask;
}
