using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Flow.Swf;

namespace Flow.Conformance.Tests;

/// <summary>
/// A fresh domain on one service, with a workflow type and an activity type that have every default,
/// and the small steps scenarios are made of. Scenarios written against it run unchanged on both services.
/// </summary>
public sealed class Sandbox
{
    public const string DecisionList = "decisions";
    public const string ActivityList = "activities";
    public static readonly WorkflowType OrdersRun = new() { Name = "Orders.Run", Version = "1.0" };
    public static readonly ActivityType Charge = new() { Name = "Orders.Charge", Version = "1.0" };

    private Sandbox(Service service, string domain)
    {
        Service = service;
        Domain = domain;
    }

    public Service Service { get; }

    public ISwfClient Client => Service.Client;

    public string Domain { get; }

    public static async Task<Sandbox> CreateAsync(Service service)
    {
        var sandbox = new Sandbox(service, "flow-" + Guid.NewGuid().ToString("N")[..12]);
        await sandbox.Client.RegisterDomainAsync(new RegisterDomainInput { Name = sandbox.Domain, WorkflowExecutionRetentionPeriodInDays = "1" });
        await sandbox.Client.RegisterWorkflowTypeAsync(new RegisterWorkflowTypeInput
        {
            Domain = sandbox.Domain,
            Name = OrdersRun.Name,
            Version = OrdersRun.Version,
            DefaultTaskList = new TaskList { Name = DecisionList },
            DefaultExecutionStartToCloseTimeout = "3600",
            DefaultTaskStartToCloseTimeout = "60",
            DefaultChildPolicy = ChildPolicy.Terminate,
        });
        await sandbox.Client.RegisterActivityTypeAsync(new RegisterActivityTypeInput
        {
            Domain = sandbox.Domain,
            Name = Charge.Name,
            Version = Charge.Version,
            DefaultTaskList = new TaskList { Name = ActivityList },
            DefaultTaskScheduleToStartTimeout = "60",
            DefaultTaskScheduleToCloseTimeout = "120",
            DefaultTaskStartToCloseTimeout = "60",
            DefaultTaskHeartbeatTimeout = "NONE",
        });
        return sandbox;
    }

    public async Task<WorkflowExecution> StartAsync(string workflowId, string? input = null, List<string>? tags = null, WorkflowType? type = null)
    {
        var run = await Client.StartWorkflowExecutionAsync(new StartWorkflowExecutionInput
        {
            Domain = Domain,
            WorkflowId = workflowId,
            WorkflowType = type ?? OrdersRun,
            Input = input,
            TagList = tags,
        });
        return new WorkflowExecution { WorkflowId = workflowId, RunId = run.RunId! };
    }

    /// <summary>
    /// Polls until a decision task arrives. flow dev holds the poll until one is scheduled; moto answers an
    /// empty poll at once, so it is asked again after a short pause (its timers fire on a thread of their own).
    /// </summary>
    public Task<DecisionTask> DecisionAsync(string taskList = DecisionList) => UntilTaskAsync(
        () => Client.PollForDecisionTaskAsync(new PollForDecisionTaskInput { Domain = Domain, TaskList = new TaskList { Name = taskList }, Identity = "decider" }),
        t => t.TaskToken);

    public Task<ActivityTask> ActivityTaskAsync() => UntilTaskAsync(
        () => Client.PollForActivityTaskAsync(new PollForActivityTaskInput { Domain = Domain, TaskList = new TaskList { Name = ActivityList }, Identity = "worker" }),
        t => t.TaskToken);

    private static async Task<T> UntilTaskAsync<T>(Func<Task<T>> poll, Func<T, string?> token)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            var task = await poll();
            if (!string.IsNullOrEmpty(token(task)))
                return task;
            if (DateTime.UtcNow > deadline)
                Assert.Fail("no task arrived within 15 s");
            await Task.Delay(25);
        }
    }

    public Task RespondAsync(DecisionTask task, params Decision[] decisions) =>
        Client.RespondDecisionTaskCompletedAsync(new RespondDecisionTaskCompletedInput { TaskToken = task.TaskToken, Decisions = [.. decisions] });

    /// <summary>Polls the next decision task and answers it.</summary>
    public async Task<DecisionTask> DecideAsync(params Decision[] decisions)
    {
        var task = await DecisionAsync();
        await RespondAsync(task, decisions);
        return task;
    }

    public async Task<List<HistoryEvent>> HistoryAsync(WorkflowExecution execution) =>
        await Client.GetWorkflowExecutionHistoryEventsAsync(new GetWorkflowExecutionHistoryInput { Domain = Domain, Execution = execution }).ToListAsync();

    public async Task<List<EventType>> EventTypesAsync(WorkflowExecution execution) =>
        [.. (await HistoryAsync(execution)).Select(e => e.EventType)];

    /// <summary>The history with what must differ between services taken out: timestamps and run ids.</summary>
    public async Task<List<string>> NormalizedHistoryAsync(WorkflowExecution execution, params string[] without) =>
        [.. (await HistoryAsync(execution)).Select(e => Normalize(e, without))];

    private static readonly HttpClient Raw = new();

    /// <summary>
    /// The event types as the service spells them on the wire, read without our client's enum (which
    /// rightly rejects a name SWF does not have). moto checks no signature, flow dev accepts any.
    /// </summary>
    public async Task<List<string>> WireEventTypesAsync(WorkflowExecution execution)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Service.Url);
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "SimpleWorkflowService.GetWorkflowExecutionHistory");
        // moto finds the service from the credential scope; the signature itself is checked by neither.
        request.Headers.TryAddWithoutValidation("Authorization",
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/swf/aws4_request, SignedHeaders=host, Signature=00");
        string body = JsonSerializer.Serialize(new JsonObject
        {
            ["domain"] = Domain,
            ["execution"] = new JsonObject { ["workflowId"] = execution.WorkflowId, ["runId"] = execution.RunId },
        });
        request.Content = new StringContent(body);
        request.Content.Headers.ContentType = new("application/x-amz-json-1.0");
        using var response = await Raw.SendAsync(request);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        return [.. json["events"]!.AsArray().Select(e => e!["eventType"]!.GetValue<string>())];
    }

    public Task<WorkflowExecutionDetail> DescribeAsync(WorkflowExecution execution) =>
        Client.DescribeWorkflowExecutionAsync(new DescribeWorkflowExecutionInput { Domain = Domain, Execution = execution });

    public Task SignalAsync(string workflowId, string name, string? input = "") =>
        Client.SignalWorkflowExecutionAsync(new SignalWorkflowExecutionInput { Domain = Domain, WorkflowId = workflowId, SignalName = name, Input = input });

    /// <summary>One event as JSON, without its timestamp, with run ids and identities masked and the named attributes left out.</summary>
    public static string Normalize(HistoryEvent e, params string[] without)
    {
        var node = JsonSerializer.SerializeToNode(e, ConformanceJson.Default.HistoryEvent)!.AsObject();
        node.Remove("eventTimestamp");
        Scrub(node);
        foreach (var (_, attributes) in node)
        {
            if (attributes is JsonObject o)
                foreach (string name in without)
                    o.Remove(name);
        }
        return node.ToJsonString();

        static void Scrub(JsonNode? n)
        {
            if (n is JsonObject o)
            {
                foreach (var (key, value) in o.ToList())
                {
                    if (key is "runId" or "newExecutionRunId" or "identity")
                        o[key] = "*";
                    else
                        Scrub(value);
                }
            }
            else if (n is JsonArray a)
            {
                foreach (var item in a)
                    Scrub(item);
            }
        }
    }

    // Decisions, spelled once.
    public static Decision Schedule(string activityId, string? input = null) => new()
    {
        DecisionType = DecisionType.ScheduleActivityTask,
        ScheduleActivityTaskDecisionAttributes = new ScheduleActivityTaskDecisionAttributes { ActivityType = Charge, ActivityId = activityId, Input = input },
    };

    public static Decision Complete(string? result = null) => new()
    {
        DecisionType = DecisionType.CompleteWorkflowExecution,
        CompleteWorkflowExecutionDecisionAttributes = new CompleteWorkflowExecutionDecisionAttributes { Result = result },
    };

    public static Decision Fail(string reason, string? details = null) => new()
    {
        DecisionType = DecisionType.FailWorkflowExecution,
        FailWorkflowExecutionDecisionAttributes = new FailWorkflowExecutionDecisionAttributes { Reason = reason, Details = details },
    };

    public static Decision CancelWorkflow(string? details = null) => new()
    {
        DecisionType = DecisionType.CancelWorkflowExecution,
        CancelWorkflowExecutionDecisionAttributes = new CancelWorkflowExecutionDecisionAttributes { Details = details },
    };

    public static Decision StartTimer(string timerId, string seconds) => new()
    {
        DecisionType = DecisionType.StartTimer,
        StartTimerDecisionAttributes = new StartTimerDecisionAttributes { TimerId = timerId, StartToFireTimeout = seconds },
    };

    public static Decision CancelTimer(string timerId) => new()
    {
        DecisionType = DecisionType.CancelTimer,
        CancelTimerDecisionAttributes = new CancelTimerDecisionAttributes { TimerId = timerId },
    };

    public static Decision Marker(string name, string? details = null) => new()
    {
        DecisionType = DecisionType.RecordMarker,
        RecordMarkerDecisionAttributes = new RecordMarkerDecisionAttributes { MarkerName = name, Details = details },
    };

    public static Decision RequestCancelActivity(string activityId) => new()
    {
        DecisionType = DecisionType.RequestCancelActivityTask,
        RequestCancelActivityTaskDecisionAttributes = new RequestCancelActivityTaskDecisionAttributes { ActivityId = activityId },
    };
}

/// <summary>Runs one scenario on both services at once.</summary>
public static class Both
{
    /// <summary>Two normalized histories are equal; a failure names the first event that differs.</summary>
    public static void AssertSameHistory(List<string> moto, List<string> dev)
    {
        for (int i = 0; i < Math.Min(moto.Count, dev.Count); i++)
        {
            if (moto[i] != dev[i])
                Assert.Fail($"event {i + 1} differs:\n  moto:     {moto[i]}\n  flow dev: {dev[i]}");
        }
        Assert.That(dev, Has.Count.EqualTo(moto.Count), $"moto: {string.Join(", ", moto)}\nflow dev: {string.Join(", ", dev)}");
    }

    public static async Task<(T Moto, T Dev)> RunAsync<T>(Func<Sandbox, Task<T>> scenario)
    {
        async Task<T> On(Service s) => await scenario(await Sandbox.CreateAsync(s));
        var moto = On(Services.Moto);
        var dev = On(Services.Dev);
        return (await moto, await dev);
    }

    /// <summary>The fault each service answers a call with, by its SWF name (or "none").</summary>
    public static Task<(string Moto, string Dev)> FaultsAsync(Func<Sandbox, Task> scenario) =>
        RunAsync(async s =>
        {
            try
            {
                await scenario(s);
                return "none";
            }
            catch (SwfException e)
            {
                return e.ErrorCode;
            }
        });
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(HistoryEvent))]
internal sealed partial class ConformanceJson : JsonSerializerContext;
