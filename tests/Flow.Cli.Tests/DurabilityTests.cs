using System.Collections.Concurrent;
using System.Text.Json;

namespace Flow.Cli.Tests;

/// <summary>
/// <c>flow dev --db</c> under load, killed with SIGKILL in the middle of it and restarted on the same file:
/// every start, decision and activity result it acknowledged is there afterwards, and every workflow
/// runs to completion. Starters, deciders and workers speak raw SWF JSON, as any client does.
/// </summary>
[TestFixture]
public sealed class DurabilityTests
{
    private const int Workflows = 30;
    private const int Steps = 3;
    private const string Domain = "durable";

    private string folder = null!;

    [SetUp]
    public void CreateFolder() => folder = Directory.CreateTempSubdirectory("flow-durable-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(folder, recursive: true);

    /// <summary>What the server acknowledged (answered 200) before it was killed.</summary>
    private sealed class Ledger
    {
        public readonly ConcurrentDictionary<string, string> Started = new();
        public readonly ConcurrentBag<(string WorkflowId, string RunId, long StartedEventId)> Decided = [];
        public readonly ConcurrentBag<(string WorkflowId, string RunId, long StartedEventId, string Result)> Worked = [];
        public readonly ConcurrentDictionary<string, bool> Completed = new();
        public int Acknowledged;
        public readonly SemaphoreSlim Progress = new(0);

        public void Ack()
        {
            Interlocked.Increment(ref Acknowledged);
            Progress.Release();
        }
    }

    [Test]
    public async Task Every_acknowledged_call_survives_kill_9_under_load_and_every_workflow_finishes()
    {
        string db = Path.Combine(folder, "flow.db");
        var ledger = new Ledger();

        await using (var first = await DevServer.StartAsync("--db", db, "--long-poll-seconds", "1"))
        {
            Ok(await Swf.CallAsync(first, "RegisterDomain", $$$"""{"name":"{{{Domain}}}","workflowExecutionRetentionPeriodInDays":"1"}"""));
            Ok(await Swf.CallAsync(first, "RegisterWorkflowType", $$$"""
                {"domain":"{{{Domain}}}","name":"Job","version":"1","defaultTaskList":{"name":"decide"},
                 "defaultExecutionStartToCloseTimeout":"3600","defaultTaskStartToCloseTimeout":"5","defaultChildPolicy":"TERMINATE"}
                """));
            // A task whose poll answer died with the server is started with nobody holding it: its
            // short start-to-close timeout hands it out again after the restart.
            Ok(await Swf.CallAsync(first, "RegisterActivityType", $$$"""
                {"domain":"{{{Domain}}}","name":"Step","version":"1","defaultTaskList":{"name":"work"},
                 "defaultTaskStartToCloseTimeout":"5","defaultTaskScheduleToStartTimeout":"NONE",
                 "defaultTaskScheduleToCloseTimeout":"NONE","defaultTaskHeartbeatTimeout":"NONE"}
                """));

            using var stop = new CancellationTokenSource();
            Task load = RunLoadAsync(first, ledger, stop.Token);
            // Kill in the middle of the work, with every kind of call in flight.
            int threshold = Workflows * (2 * Steps + 1) / 2;
            using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(120)))
                while (Volatile.Read(ref ledger.Acknowledged) < threshold)
                    await ledger.Progress.WaitAsync(deadline.Token);
            await first.KillAsync();
            await stop.CancelAsync();
            await load;
            Assert.That(ledger.Completed, Has.Count.LessThan(Workflows), "the kill came before the work was done");
        }

        await using var second = await DevServer.StartAsync("--db", db, "--long-poll-seconds", "1");
        var acknowledged = (Starts: ledger.Started.Count, Decisions: ledger.Decided.Count, Results: ledger.Worked.Count);
        TestContext.Out.WriteLine($"acknowledged before the kill: {acknowledged}");
        var byRun = new Dictionary<string, List<JsonElement>>();
        async Task<List<JsonElement>> History(string workflowId, string runId) =>
            byRun.TryGetValue(runId, out var h) ? h : byRun[runId] = await HistoryAsync(second, workflowId, runId);
        foreach (var (workflowId, runId) in ledger.Started)
            Assert.That((await History(workflowId, runId))[0].GetProperty("eventType").GetString(), Is.EqualTo("WorkflowExecutionStarted"), workflowId);
        foreach (var (workflowId, runId, startedEventId) in ledger.Decided)
            Assert.That((await History(workflowId, runId)).Any(e => e.GetProperty("eventType").GetString() == "DecisionTaskCompleted"
                && e.GetProperty("decisionTaskCompletedEventAttributes").GetProperty("startedEventId").GetInt64() == startedEventId),
                $"the acknowledged decision of {runId} started at event {startedEventId}");
        foreach (var (workflowId, runId, startedEventId, result) in ledger.Worked)
            Assert.That((await History(workflowId, runId)).Any(e => e.GetProperty("eventType").GetString() == "ActivityTaskCompleted"
                && e.GetProperty("activityTaskCompletedEventAttributes").GetProperty("startedEventId").GetInt64() == startedEventId
                && e.GetProperty("activityTaskCompletedEventAttributes").GetProperty("result").GetString() == result),
                $"the acknowledged result {result} (activity started at event {startedEventId})");

        // Resume: start whatever was not acknowledged (before any decider could finish a run whose start
        // was kept but not acknowledged, so a retried start finds it open), then work until every workflow is completed.
        await StarterAsync(second, ledger, CancellationToken.None);
        Assert.That(ledger.Started, Has.Count.EqualTo(Workflows));
        using (var stop = new CancellationTokenSource())
        {
            Task load = RunLoadAsync(second, ledger, stop.Token);
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            while (await CountCompletedAsync(second) < Workflows)
                await ledger.Progress.WaitAsync(deadline.Token);
            await stop.CancelAsync();
            await load;
        }

        var open = Ok(await Swf.CallAsync(second, "CountOpenWorkflowExecutions", $$$"""{"domain":"{{{Domain}}}","startTimeFilter":{"oldestDate":0}}"""));
        Assert.That(open.Json.GetProperty("count").GetInt32(), Is.Zero);
        var closed = Ok(await Swf.CallAsync(second, "ListClosedWorkflowExecutions", $$$"""{"domain":"{{{Domain}}}","startTimeFilter":{"oldestDate":0}}"""));
        Assert.That(closed.Json.GetProperty("executionInfos").EnumerateArray().Select(i => i.GetProperty("execution").GetProperty("workflowId").GetString()),
            Is.EquivalentTo(Enumerable.Range(0, Workflows).Select(Id)), "each workflow ran once, under the one run the start created");
        foreach (var info in closed.Json.GetProperty("executionInfos").EnumerateArray())
        {
            string workflowId = info.GetProperty("execution").GetProperty("workflowId").GetString()!;
            var history = await HistoryAsync(second, workflowId, info.GetProperty("execution").GetProperty("runId").GetString()!);
            var last = history[^1];
            Assert.That(last.GetProperty("eventType").GetString(), Is.EqualTo("WorkflowExecutionCompleted"), workflowId);
            Assert.That(last.GetProperty("workflowExecutionCompletedEventAttributes").GetProperty("result").GetString(),
                Is.EqualTo(string.Join(",", Enumerable.Range(0, Steps).Select(s => $"{workflowId}/s{s}"))), workflowId);
            Assert.That(history.Select(e => e.GetProperty("eventId").GetInt64()), Is.EqualTo(Enumerable.Range(1, history.Count).Select(i => (long)i)), workflowId);
        }
    }

    private static string Id(int i) => "job-" + i;

    /// <summary>One starter, four deciders and four workers until stopped or the server goes away.</summary>
    private static Task RunLoadAsync(DevServer server, Ledger ledger, CancellationToken stop)
    {
        var tasks = new List<Task> { StarterAsync(server, ledger, stop) };
        for (int i = 0; i < 4; i++)
        {
            tasks.Add(Loop(() => DecideOnceAsync(server, ledger)));
            tasks.Add(Loop(() => WorkOnceAsync(server, ledger)));
        }
        return Task.WhenAll(tasks);

        async Task Loop(Func<Task> once)
        {
            while (!stop.IsCancellationRequested && !server.HasExited)
            {
                try
                {
                    await once();
                }
                catch (HttpRequestException)
                {
                    // The server died under this call: its answer never came, so nothing was acknowledged.
                    return;
                }
            }
        }
    }

    private static async Task StarterAsync(DevServer server, Ledger ledger, CancellationToken stop)
    {
        for (int i = 0; i < Workflows && !stop.IsCancellationRequested; i++)
        {
            string workflowId = Id(i);
            if (ledger.Started.ContainsKey(workflowId))
                continue;
            Swf.Answer answer;
            try
            {
                answer = await Swf.CallAsync(server, "StartWorkflowExecution",
                    $$$"""{"domain":"{{{Domain}}}","workflowId":"{{{workflowId}}}","workflowType":{"name":"Job","version":"1"}}""");
            }
            catch (HttpRequestException)
            {
                return;
            }
            if (answer.Status == 200)
            {
                ledger.Started[workflowId] = answer.Json.GetProperty("runId").GetString()!;
                ledger.Ack();
            }
            else
            {
                // Started before the kill, but its answer was lost: look the run up, as a client would.
                Assert.That(answer.ErrorCode, Is.EqualTo("WorkflowExecutionAlreadyStartedFault"), answer.ToString());
                var open = Ok(await Swf.CallAsync(server, "ListOpenWorkflowExecutions",
                    $$$"""{"domain":"{{{Domain}}}","startTimeFilter":{"oldestDate":0},"executionFilter":{"workflowId":"{{{workflowId}}}"}}"""));
                ledger.Started[workflowId] = open.Json.GetProperty("executionInfos")[0].GetProperty("execution").GetProperty("runId").GetString()!;
            }
        }
    }

    private static async Task DecideOnceAsync(DevServer server, Ledger ledger)
    {
        var task = Ok(await Swf.CallAsync(server, "PollForDecisionTask", $$$"""{"domain":"{{{Domain}}}","taskList":{"name":"decide"},"identity":"decider"}""")).Json;
        if (!task.TryGetProperty("taskToken", out var token))
            return;
        string workflowId = task.GetProperty("workflowExecution").GetProperty("workflowId").GetString()!;
        string runId = task.GetProperty("workflowExecution").GetProperty("runId").GetString()!;
        long startedEventId = task.GetProperty("startedEventId").GetInt64();
        var events = task.GetProperty("events").EnumerateArray().ToList();

        // The decider's state is its history: which steps completed, and whether the next one is open.
        var scheduled = new Dictionary<long, string>();
        var closedSchedules = new HashSet<long>();
        var results = new Dictionary<string, string>();
        foreach (var e in events)
        {
            switch (e.GetProperty("eventType").GetString())
            {
                case "ActivityTaskScheduled":
                    scheduled[e.GetProperty("eventId").GetInt64()] = e.GetProperty("activityTaskScheduledEventAttributes").GetProperty("activityId").GetString()!;
                    break;
                case "ActivityTaskCompleted":
                {
                    var a = e.GetProperty("activityTaskCompletedEventAttributes");
                    long s = a.GetProperty("scheduledEventId").GetInt64();
                    closedSchedules.Add(s);
                    results[scheduled[s]] = a.GetProperty("result").GetString()!;
                    break;
                }
                case "ActivityTaskTimedOut":
                    closedSchedules.Add(e.GetProperty("activityTaskTimedOutEventAttributes").GetProperty("scheduledEventId").GetInt64());
                    break;
            }
        }
        int next = Enumerable.Range(0, Steps).FirstOrDefault(s => !results.ContainsKey($"s{s}"), -1);
        object[] decisions;
        if (next < 0)
            decisions = [new
            {
                decisionType = "CompleteWorkflowExecution",
                completeWorkflowExecutionDecisionAttributes = new { result = string.Join(",", Enumerable.Range(0, Steps).Select(s => results[$"s{s}"])) },
            }];
        else if (scheduled.Any(p => p.Value == $"s{next}" && !closedSchedules.Contains(p.Key)))
            decisions = [];
        else
            decisions = [new
            {
                decisionType = "ScheduleActivityTask",
                scheduleActivityTaskDecisionAttributes = new { activityType = new { name = "Step", version = "1" }, activityId = $"s{next}", input = workflowId },
            }];

        var answer = await Swf.CallAsync(server, "RespondDecisionTaskCompleted",
            JsonSerializer.Serialize(new { taskToken = token.GetString(), decisions }));
        if (answer.Status != 200)
        {
            // Its start-to-close timeout passed first (a slow machine): SWF hands the decision out again.
            Assert.That(answer.ErrorCode, Is.EqualTo("UnknownResourceFault"), answer.ToString());
            return;
        }
        ledger.Decided.Add((workflowId, runId, startedEventId));
        if (next < 0)
            ledger.Completed[workflowId] = true;
        ledger.Ack();
    }

    private static async Task WorkOnceAsync(DevServer server, Ledger ledger)
    {
        var task = Ok(await Swf.CallAsync(server, "PollForActivityTask", $$$"""{"domain":"{{{Domain}}}","taskList":{"name":"work"},"identity":"worker"}""")).Json;
        if (!task.TryGetProperty("taskToken", out var token))
            return;
        string workflowId = task.GetProperty("workflowExecution").GetProperty("workflowId").GetString()!;
        string runId = task.GetProperty("workflowExecution").GetProperty("runId").GetString()!;
        string result = task.GetProperty("input").GetString() + "/" + task.GetProperty("activityId").GetString();
        var answer = await Swf.CallAsync(server, "RespondActivityTaskCompleted",
            JsonSerializer.Serialize(new { taskToken = token.GetString(), result }));
        if (answer.Status != 200)
        {
            Assert.That(answer.ErrorCode, Is.EqualTo("UnknownResourceFault"), answer.ToString());
            return;
        }
        ledger.Worked.Add((workflowId, runId, task.GetProperty("startedEventId").GetInt64(), result));
        ledger.Ack();
    }

    private static async Task<int> CountCompletedAsync(DevServer server)
    {
        var count = Ok(await Swf.CallAsync(server, "CountClosedWorkflowExecutions",
            $$$"""{"domain":"{{{Domain}}}","startTimeFilter":{"oldestDate":0},"closeStatusFilter":{"status":"COMPLETED"}}"""));
        return count.Json.GetProperty("count").GetInt32();
    }

    private static async Task<List<JsonElement>> HistoryAsync(DevServer server, string workflowId, string runId)
    {
        var events = new List<JsonElement>();
        string? next = null;
        do
        {
            var page = Ok(await Swf.CallAsync(server, "GetWorkflowExecutionHistory", JsonSerializer.Serialize(new
            {
                domain = Domain, execution = new { workflowId, runId }, nextPageToken = next,
            })));
            events.AddRange(page.Json.GetProperty("events").EnumerateArray());
            next = page.Json.TryGetProperty("nextPageToken", out var token) ? token.GetString() : null;
        }
        while (next is not null);
        return events;
    }

    private static Swf.Answer Ok(Swf.Answer answer)
    {
        Assert.That(answer.Status, Is.EqualTo(200), answer.ToString());
        return answer;
    }
}
