using Flow;
using Flow.Swf;
using NUnit.Framework;

namespace Flow.Testing.Tests;

/// <summary>The generated run handle terminates its run, and its typed result then throws the terminated exception.</summary>
[Parallelizable(ParallelScope.All)]
public sealed class GeneratedRunTerminateTests
{
    [Test]
    public async Task A_run_terminated_through_the_generated_handle_throws_WorkflowTerminatedException_from_its_typed_result()
    {
        await using var env = new WorkflowTestEnvironment();
        env.AddWorkflow(WaiterDispatch.CreateHandler(() => new WaiterWorkflow()));
        var run = await new WaiterClient(env.Client).StartAsync("terminated-waiter", "Ada");
        await env.WaitIdleAsync();

        await run.TerminateAsync(reason: "no longer needed", details: "by the test", childPolicy: ChildPolicy.Abandon);

        var ex = Assert.ThrowsAsync<WorkflowTerminatedException>(() => run.GetResultAsync());
        Assert.That((ex!.Execution.WorkflowId, ex.Execution.RunId), Is.EqualTo((run.WorkflowId, run.RunId)));
        Assert.That(ex.Status, Is.EqualTo(CloseStatus.Terminated));
        Assert.That(ex.Reason, Is.EqualTo("no longer needed"));
        Assert.That(ex.Details, Is.EqualTo("by the test"));
        var closed = await run.DescribeAsync();
        Assert.That(closed.ExecutionInfo.CloseStatus, Is.EqualTo(CloseStatus.Terminated));
    }
}
