using Flow.Swf;
using static Flow.Conformance.Tests.Sandbox;

namespace Flow.Conformance.Tests;

/// <summary>ListOpen/ClosedWorkflowExecutions with every filter, on the same four executions.</summary>
public sealed class VisibilityTests
{
    private static readonly ExecutionTimeFilter LastHour = new() { OldestDate = DateTimeOffset.UtcNow.AddHours(-1) };

    /// <summary>open-a (tag red), open-b (tag blue), done (completed), killed (terminated).</summary>
    private static async Task SeedAsync(Sandbox s)
    {
        await s.StartAsync("open-a", tags: ["red"]);
        await s.StartAsync("open-b", tags: ["blue"]);
        await s.StartAsync("done", tags: ["red"]);
        await s.StartAsync("killed");
        await s.Client.TerminateWorkflowExecutionAsync(new TerminateWorkflowExecutionInput { Domain = s.Domain, WorkflowId = "killed" });
        // The oldest decision task belongs to open-a; answer tasks until "done" has completed.
        while (true)
        {
            var task = await s.DecisionAsync();
            bool mine = task.WorkflowExecution.WorkflowId == "done";
            await s.RespondAsync(task, mine ? [Complete()] : []);
            if (mine)
                return;
        }
    }

    private static async Task<string> OpenAsync(Sandbox s, Action<ListOpenWorkflowExecutionsInput> filter)
    {
        var input = new ListOpenWorkflowExecutionsInput { Domain = s.Domain, StartTimeFilter = LastHour };
        filter(input);
        try
        {
            var ids = await s.Client.ListAllOpenWorkflowExecutionsAsync(input).Select(e => e.Execution.WorkflowId).ToListAsync();
            return string.Join(",", ids.Order(StringComparer.Ordinal));
        }
        catch (SwfException e)
        {
            return e.ErrorCode;
        }
    }

    private static async Task<string> ClosedAsync(Sandbox s, Action<ListClosedWorkflowExecutionsInput> filter)
    {
        var input = new ListClosedWorkflowExecutionsInput { Domain = s.Domain, StartTimeFilter = LastHour };
        filter(input);
        var found = await s.Client.ListAllClosedWorkflowExecutionsAsync(input).Select(e => e.Execution.WorkflowId + ":" + e.CloseStatus).ToListAsync();
        return string.Join(",", found.Order(StringComparer.Ordinal));
    }

    [Test]
    public async Task Open_executions_are_listed_alike_with_no_filter_a_tag_filter_and_a_type_filter()
    {
        var (moto, dev) = await Both.RunAsync(async s =>
        {
            await SeedAsync(s);
            return string.Join(" | ",
                await OpenAsync(s, _ => { }),
                await OpenAsync(s, i => i.TagFilter = new TagFilter { Tag = "red" }),
                await OpenAsync(s, i => i.TypeFilter = new WorkflowTypeFilter { Name = OrdersRun.Name, Version = OrdersRun.Version }));
        });

        Assert.That(dev, Is.EqualTo(moto));
        Assert.That(dev, Is.EqualTo("open-a,open-b | open-a | open-a,open-b"));
    }

    [Test]
    public async Task Closed_executions_are_listed_alike_with_no_filter_a_close_status_tag_or_type_filter_and_a_close_time_filter()
    {
        var (moto, dev) = await Both.RunAsync(async s =>
        {
            await SeedAsync(s);
            return string.Join(" | ",
                await ClosedAsync(s, _ => { }),
                await ClosedAsync(s, i => i.CloseStatusFilter = new CloseStatusFilter { Status = CloseStatus.Terminated }),
                await ClosedAsync(s, i => i.TagFilter = new TagFilter { Tag = "red" }),
                await ClosedAsync(s, i => i.TypeFilter = new WorkflowTypeFilter { Name = OrdersRun.Name, Version = OrdersRun.Version }),
                await ClosedAsync(s, i => { i.StartTimeFilter = null; i.CloseTimeFilter = LastHour; }));
        });

        Assert.That(dev, Is.EqualTo(moto));
        Assert.That(dev, Is.EqualTo("done:Completed,killed:Terminated | killed:Terminated | done:Completed | done:Completed,killed:Terminated | done:Completed,killed:Terminated"));
    }

    [Test]
    public async Task An_execution_filter_selects_one_workflow_id_on_flow_dev_and_is_ignored_by_moto()
    {
        // API reference, ListOpenWorkflowExecutions / ListClosedWorkflowExecutions executionFilter: "If specified,
        // only workflow executions matching the workflow ID specified in the filter are returned."
        var (moto, dev) = await Both.RunAsync(async s =>
        {
            await SeedAsync(s);
            return (await OpenAsync(s, i => i.ExecutionFilter = new WorkflowExecutionFilter { WorkflowId = "open-b" }),
                await ClosedAsync(s, i => i.ExecutionFilter = new WorkflowExecutionFilter { WorkflowId = "done" }));
        });

        Assert.That(dev, Is.EqualTo(("open-b", "done:Completed")));
        Assert.That(moto, Is.EqualTo(("open-a,open-b", "done:Completed,killed:Terminated")), "moto (observed): every execution");
    }

    [Test]
    public async Task A_start_time_window_in_the_future_lists_nothing_on_flow_dev_and_everything_on_moto()
    {
        // API reference, ExecutionTimeFilter: "Used to filter the workflow executions in visibility APIs by
        // their start or close time": oldestDate is the earliest start time to include.
        var (moto, dev) = await Both.RunAsync(async s =>
        {
            await SeedAsync(s);
            return await OpenAsync(s, i => i.StartTimeFilter = new ExecutionTimeFilter { OldestDate = DateTimeOffset.UtcNow.AddHours(1) });
        });

        Assert.That(dev, Is.Empty);
        Assert.That(moto, Is.EqualTo("open-a,open-b"), "moto (observed): the window is not applied");
    }

    [Test]
    public async Task A_type_filter_naming_an_unregistered_type_lists_nothing_on_flow_dev_and_is_a_server_error_on_moto()
    {
        // API reference, ListOpenWorkflowExecutions typeFilter: "If specified, only executions of the type
        // specified in the filter are returned"; an unknown type simply matches none.
        var (moto, dev) = await Both.RunAsync(async s =>
        {
            await SeedAsync(s);
            return await OpenAsync(s, i => i.TypeFilter = new WorkflowTypeFilter { Name = "Other" });
        });

        Assert.That(dev, Is.Empty);
        Assert.That(moto, Is.EqualTo("HttpStatus500"), "moto (observed)");
    }
}
