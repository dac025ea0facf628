using Flow.Swf;
using OrderApproval;
using NUnit.Framework;

namespace Flow.Testing.Tests;

/// <summary>The OrderApproval sample in the test environment: both of its paths, and their histories (the order's and
/// the shipping child's) replayed against the sample's code.</summary>
[Parallelizable(ParallelScope.All)]
public sealed class OrderApprovalSampleTests
{
    private static WorkflowTestEnvironment Environment(Warehouse warehouse) =>
        new WorkflowTestEnvironment()
            .AddWorkflow(OrderApprovalDispatch.CreateHandler(() => new OrderApprovalWorkflow()))
            .AddWorkflow(ShippingDispatch.CreateHandler(() => new ShippingWorkflow()))
            .AddActivities(OrderActivitiesDispatch.CreateHandlers(() => new OrderActivities(warehouse)));

    private static WorkflowReplayer Replayer() => new(
        OrderApprovalDispatch.CreateHandler(() => new OrderApprovalWorkflow()),
        ShippingDispatch.CreateHandler(() => new ShippingWorkflow()));

    /// <summary>Every run of the environment (closed ones are all there is at the end), exported and replayed.</summary>
    private static async Task<List<ReplayResult>> ReplayExportsAsync(WorkflowTestEnvironment env)
    {
        var results = new List<ReplayResult>();
        await foreach (var info in env.Client.ListClosedAsync())
            results.Add(Replayer().ReplayJson(await env.Client.GetHistoryJsonAsync(info.Execution), info.Execution));
        return results;
    }

    [Test]
    public async Task An_approved_order_ships_through_its_child_and_both_histories_replay()
    {
        var warehouse = new Warehouse();
        await using var env = Environment(warehouse);
        var run = await new OrderApprovalClient(env.Client).StartAsync("order-1", new Order("order-1", "lamp", 2, "1 Main St", 30 * 60));
        await env.WaitIdleAsync();
        await env.SkipAsync(TimeSpan.FromMinutes(10));

        await run.ApproveAsync("Ann");
        var outcome = await run.GetResultAsync();

        Assert.That((outcome.State, outcome.ApprovedBy), Is.EqualTo((OrderState.Shipped, "Ann")));
        Assert.That(warehouse.Dispatched, Has.Count.EqualTo(1));
        var replays = await ReplayExportsAsync(env);
        Assert.That(replays.Select(r => r.WorkflowType!.Name).Order(), Is.EqualTo(new[] { "OrderApproval.Run", "Shipping.Run" }));
        Assert.That(replays, Has.All.Matches<ReplayResult>(r => r.Succeeded), string.Join("\n", replays.Select(r => r.Describe())));
    }

    [Test]
    public async Task An_order_nobody_approves_is_canceled_at_its_30_minute_deadline_in_virtual_time_and_replays()
    {
        var warehouse = new Warehouse();
        await using var env = Environment(warehouse);
        var started = env.UtcNow;
        var run = await new OrderApprovalClient(env.Client).StartAsync("order-2", new Order("order-2", "desk", 1, "2 Side St", 30 * 60));

        var outcome = await run.GetResultAsync();

        Assert.That(outcome.State, Is.EqualTo(OrderState.Canceled));
        Assert.That(env.UtcNow - started, Is.EqualTo(TimeSpan.FromMinutes(30)));
        Assert.That(warehouse.Released, Has.Count.EqualTo(1));
        var replays = await ReplayExportsAsync(env);
        Assert.That(replays, Has.Count.EqualTo(1));
        Assert.That(replays[0].Succeeded, replays[0].Describe());
    }
}

