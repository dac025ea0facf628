using System.Diagnostics;
namespace Flow.Runtime.Tests.Workflows;
public class PerfProbe
{
    [Test, Explicit]
    public void Probe()
    {
        var h = new HistoryBuilder().Started();
        for (var i = 1; i <= 1000; i++)
        {
            h.Decided();
            var s = h.ActivityScheduled(i.ToString());
            h.ActivityStarted(s);
            h.ActivityCompleted(s, "\"x\"");
        }
        h.Decided();
        h.Completed("\"x\"");
        var task = h.Task(startedId: 0);
        task.Events = [.. h.Events];
        var handler = Defs.Handler(async _ => { string? r = null; for (var i = 0; i < 1000; i++) r = await Workflow.ExecuteActivityAsync(Defs.Act, r); return r; });
        for (var w = 0; w < 20; w++) new Flow.Workflows.WorkflowExecutor("d", handler).ProcessDecisionTask(task);
        var sw = Stopwatch.StartNew();
        var before = GC.GetAllocatedBytesForCurrentThread();
        const int n = 50;
        for (var w = 0; w < n; w++) new Flow.Workflows.WorkflowExecutor("d", handler).ProcessDecisionTask(task);
        var bytes = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Fail($"{h.Events.Count * n / sw.Elapsed.TotalSeconds:N0} events/s, {bytes / (h.Events.Count * n)} B/event");
    }
}
