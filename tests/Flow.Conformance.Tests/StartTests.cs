using Flow.Swf;
using static Flow.Conformance.Tests.Sandbox;

namespace Flow.Conformance.Tests;

/// <summary>StartWorkflowExecution: the type's defaults, overrides, and its faults.</summary>
public sealed class StartTests
{
    private static string Configuration(WorkflowExecutionConfiguration c) =>
        string.Join("|", c.TaskList.Name, c.ExecutionStartToCloseTimeout, c.TaskStartToCloseTimeout, c.ChildPolicy);

    [Test]
    public async Task A_start_without_options_takes_the_types_defaults_on_both()
    {
        var (moto, dev) = await Both.RunAsync(async s =>
        {
            var run = await s.StartAsync("order");
            var detail = await s.DescribeAsync(run);
            return (Configuration(detail.ExecutionConfiguration), await s.NormalizedHistoryAsync(run));
        });

        Assert.That(dev.Item1, Is.EqualTo(moto.Item1));
        Assert.That(dev.Item1, Is.EqualTo("decisions|3600|60|Terminate"));
        Both.AssertSameHistory(moto.Item2, dev.Item2);
    }

    [Test]
    public async Task A_start_with_every_option_overrides_the_defaults_on_both()
    {
        var (moto, dev) = await Both.RunAsync(async s =>
        {
            await s.Client.StartWorkflowExecutionAsync(new StartWorkflowExecutionInput
            {
                Domain = s.Domain,
                WorkflowId = "order",
                WorkflowType = OrdersRun,
                TaskList = new TaskList { Name = "elsewhere" },
                ExecutionStartToCloseTimeout = "120",
                TaskStartToCloseTimeout = "30",
                ChildPolicy = ChildPolicy.Abandon,
                TagList = ["a", "b"],
                Input = "in",
            });
            var open = await s.Client.ListAllOpenWorkflowExecutionsAsync(new ListOpenWorkflowExecutionsInput
            {
                Domain = s.Domain,
                StartTimeFilter = new ExecutionTimeFilter { OldestDate = DateTimeOffset.UtcNow.AddHours(-1) },
            }).SingleAsync();
            var detail = await s.DescribeAsync(open.Execution);
            var task = await s.DecisionAsync("elsewhere");
            var started = task.Events[0].WorkflowExecutionStartedEventAttributes!;
            return (Configuration(detail.ExecutionConfiguration), string.Join(",", open.TagList ?? []), Normalize(task.Events[0], "tagList"),
                string.Join(",", started.TagList ?? []));
        });

        Assert.That((dev.Item1, dev.Item2, dev.Item3), Is.EqualTo((moto.Item1, moto.Item2, moto.Item3)));
        // API reference, WorkflowExecutionStartedEventAttributes.tagList: "The list of tags associated with this
        // workflow execution." moto lists the tags on the execution but leaves them out of the event.
        Assert.That(dev.Item4, Is.EqualTo("a,b"));
        Assert.That(moto.Item4, Is.Empty, "moto (observed)");
        Assert.That(dev.Item1, Is.EqualTo("elsewhere|120|30|Abandon"));
        Assert.That(dev.Item2, Is.EqualTo("a,b"));
    }

    [Test]
    public async Task Starting_an_open_workflow_id_again_is_a_WorkflowExecutionAlreadyStartedFault_on_both()
    {
        var faults = await Both.FaultsAsync(async s =>
        {
            await s.StartAsync("order");
            await s.StartAsync("order");
        });

        Assert.That(faults, Is.EqualTo(("WorkflowExecutionAlreadyStartedFault", "WorkflowExecutionAlreadyStartedFault")));
    }

    [Test]
    public async Task Starting_an_unregistered_type_is_an_UnknownResourceFault_on_both()
    {
        var faults = await Both.FaultsAsync(s => s.StartAsync("order", type: new WorkflowType { Name = "Nope", Version = "1" }));

        Assert.That(faults, Is.EqualTo(("UnknownResourceFault", "UnknownResourceFault")));
    }

    [Test]
    public async Task Starting_in_an_unknown_domain_is_an_UnknownResourceFault_on_both()
    {
        var faults = await Both.FaultsAsync(s => s.Client.StartWorkflowExecutionAsync(
            new StartWorkflowExecutionInput { Domain = s.Domain + "-nope", WorkflowId = "order", WorkflowType = OrdersRun }));

        Assert.That(faults, Is.EqualTo(("UnknownResourceFault", "UnknownResourceFault")));
    }

    [Test]
    public async Task Starting_a_type_without_the_defaults_the_start_leaves_out_is_a_DefaultUndefinedFault_on_both()
    {
        var faults = await Both.FaultsAsync(async s =>
        {
            await s.Client.RegisterWorkflowTypeAsync(new RegisterWorkflowTypeInput { Domain = s.Domain, Name = "Bare", Version = "1" });
            await s.StartAsync("order", type: new WorkflowType { Name = "Bare", Version = "1" });
        });

        Assert.That(faults, Is.EqualTo(("DefaultUndefinedFault", "DefaultUndefinedFault")));
    }

    [Test]
    public async Task Starting_a_deprecated_type_is_a_TypeDeprecatedFault_on_both()
    {
        var faults = await Both.FaultsAsync(async s =>
        {
            await s.Client.DeprecateWorkflowTypeAsync(new DeprecateWorkflowTypeInput { Domain = s.Domain, WorkflowType = OrdersRun });
            await s.StartAsync("order");
        });

        Assert.That(faults, Is.EqualTo(("TypeDeprecatedFault", "TypeDeprecatedFault")));
    }
}
