using Flow;
using Flow.Local;
using NUnit.Framework;

namespace Flow.Testing.Tests;

/// <summary>The generated run handle's GetStateAsync is null until the run's first decision reports a state, whatever the
/// state's type: a value type's default would read as a real value.</summary>
[Parallelizable(ParallelScope.All)]
public sealed class GeneratedStateTests
{
    [Test]
    public async Task A_value_type_state_is_null_before_the_first_decision_and_its_value_after()
    {
        using var local = new LocalSwf(new LocalSwfOptions());
        var registration = new FlowRegistration(local.Client, "state-tests");
        await registration.RegisterDomainAsync(1);
        await registration.RegisterWorkflowTypeAsync(CountingDispatch.Definition, CountingDispatch.Definition.DefaultTaskList);
        var run = await new CountingClient(new WorkflowClient(local.Client, "state-tests")).StartAsync("counting-before", 2);

        int? before = await run.GetStateAsync(); // no worker has made a decision yet

        Assert.That(before, Is.Null);
    }

    [Test]
    public async Task A_value_type_state_of_zero_reads_as_zero_once_a_decision_reported_it()
    {
        await using var env = new WorkflowTestEnvironment();
        env.AddWorkflow(CountingDispatch.CreateHandler(() => new CountingWorkflow()));
        var run = await new CountingClient(env.Client).StartAsync("counting-zero", 1);
        await env.WaitIdleAsync();

        Assert.That(await run.GetStateAsync(), Is.EqualTo(0));

        await run.AddAsync();
        Assert.That(await run.GetResultAsync(), Is.EqualTo(1));
    }
}
