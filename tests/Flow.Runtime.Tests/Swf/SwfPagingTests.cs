using System.Text.Json.Nodes;
using Flow.Runtime.Tests.Swf.Support;
using Flow.Swf;

namespace Flow.Runtime.Tests.Swf;

/// <summary>The paging helpers follow nextPageToken, keep the caller's filters on every page and leave
/// the caller's input alone.</summary>
public class SwfPagingTests
{
    private FaultServer _server = null!;
    private SwfClient _client = null!;

    [SetUp]
    public void Start()
    {
        _server = FaultServer.Start();
        _client = new SwfClient(TestClients.Options(_server.Url));
    }

    [TearDown]
    public async Task Stop()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    private static async Task<List<T>> All<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
            list.Add(item);
        return list;
    }

    private JsonNode Body(int request) => JsonNode.Parse(_server.Requests[request].Body)!;

    [Test]
    public async Task Domains_are_listed_across_pages_with_the_same_filters()
    {
        _server.Enqueue(
            Reply.Json("""{"domainInfos":[{"name":"a","status":"REGISTERED"},{"name":"b","status":"REGISTERED"}],"nextPageToken":"page-2"}"""),
            Reply.Json("""{"domainInfos":[{"name":"c","status":"REGISTERED"}]}"""));
        var input = new ListDomainsInput { RegistrationStatus = RegistrationStatus.Registered, MaximumPageSize = 2 };

        var domains = await All(_client.ListAllDomainsAsync(input));

        Assert.That(domains.Select(d => d.Name), Is.EqualTo(new[] { "a", "b", "c" }));
        Assert.That(Body(0).ToJsonString(), Is.EqualTo("""{"registrationStatus":"REGISTERED","maximumPageSize":2}"""));
        Assert.That(Body(1).ToJsonString(), Is.EqualTo("""{"nextPageToken":"page-2","registrationStatus":"REGISTERED","maximumPageSize":2}"""));
        Assert.That(input.NextPageToken, Is.Null);
    }

    [Test]
    public async Task History_events_are_read_newest_first_across_pages_when_asked()
    {
        _server.Enqueue(
            Reply.Json("""{"events":[{"eventId":3,"eventType":"DecisionTaskStarted","eventTimestamp":3}],"nextPageToken":"older"}"""),
            Reply.Json("""{"events":[{"eventId":2,"eventType":"DecisionTaskScheduled","eventTimestamp":2},{"eventId":1,"eventType":"WorkflowExecutionStarted","eventTimestamp":1}]}"""));
        var input = new GetWorkflowExecutionHistoryInput
        {
            Domain = "d",
            Execution = new WorkflowExecution { WorkflowId = "w", RunId = "r" },
            ReverseOrder = true,
            MaximumPageSize = 1,
        };

        var events = await All(_client.GetWorkflowExecutionHistoryEventsAsync(input));

        Assert.That(events.Select(e => e.EventId), Is.EqualTo(new long[] { 3, 2, 1 }));
        Assert.That(Body(1)["reverseOrder"]!.GetValue<bool>(), Is.True);
        Assert.That(Body(1)["nextPageToken"]!.GetValue<string>(), Is.EqualTo("older"));
    }

    [Test]
    public async Task A_decision_task_is_yielded_page_by_page_from_one_poll()
    {
        _server.Enqueue(
            Reply.Json("""{"taskToken":"tt","startedEventId":3,"workflowExecution":{"workflowId":"w","runId":"r"},"workflowType":{"name":"t","version":"1"},"events":[{"eventId":1,"eventType":"WorkflowExecutionStarted","eventTimestamp":1}],"nextPageToken":"p2","previousStartedEventId":0}"""),
            Reply.Json("""{"taskToken":"tt","startedEventId":3,"workflowExecution":{"workflowId":"w","runId":"r"},"workflowType":{"name":"t","version":"1"},"events":[{"eventId":2,"eventType":"DecisionTaskScheduled","eventTimestamp":2},{"eventId":3,"eventType":"DecisionTaskStarted","eventTimestamp":3}],"previousStartedEventId":0}"""));
        var input = new PollForDecisionTaskInput { Domain = "d", TaskList = new TaskList { Name = "main" }, Identity = "me", StartAtPreviousStartedEvent = true };

        var pages = await All(_client.PollForDecisionTaskPagesAsync(input));

        Assert.That(pages.Select(p => p.Events.Count), Is.EqualTo(new[] { 1, 2 }));
        Assert.That(Body(1).ToJsonString(), Is.EqualTo(
            """{"domain":"d","taskList":{"name":"main"},"identity":"me","nextPageToken":"p2","startAtPreviousStartedEvent":true}"""));
    }

    [Test]
    public async Task A_poll_that_ends_without_a_task_yields_no_page()
    {
        _server.Enqueue(Reply.Json("""{"previousStartedEventId":0,"startedEventId":0}"""));

        var pages = await All(_client.PollForDecisionTaskPagesAsync(new PollForDecisionTaskInput { Domain = "d", TaskList = new TaskList { Name = "main" } }));

        Assert.That(pages, Is.Empty);
        Assert.That(_server.Requests, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_polled_decision_task_streams_its_events_from_the_following_pages()
    {
        _server.Enqueue(Reply.Json("""{"taskToken":"tt","startedEventId":3,"workflowExecution":{"workflowId":"w","runId":"r"},"workflowType":{"name":"t","version":"1"},"events":[{"eventId":3,"eventType":"DecisionTaskStarted","eventTimestamp":3}]}"""));
        var input = new PollForDecisionTaskInput { Domain = "d", TaskList = new TaskList { Name = "main" } };
        var first = new DecisionTask
        {
            TaskToken = "tt",
            Events = [new HistoryEvent { EventId = 1, EventType = EventType.WorkflowExecutionStarted }, new HistoryEvent { EventId = 2, EventType = EventType.DecisionTaskScheduled }],
            NextPageToken = "p2",
        };

        var events = await All(_client.GetDecisionTaskEventsAsync(input, first));

        Assert.That(events.Select(e => e.EventId), Is.EqualTo(new long[] { 1, 2, 3 }));
        Assert.That(_server.Requests, Has.Count.EqualTo(1));
    }

    private static readonly string Execs = """{"executionInfos":[{"execution":{"workflowId":"w1","runId":"r1"},"workflowType":{"name":"t","version":"1"},"startTimestamp":1,"executionStatus":"OPEN"}],"nextPageToken":"n"}""";
    private static readonly string Execs2 = """{"executionInfos":[{"execution":{"workflowId":"w2","runId":"r2"},"workflowType":{"name":"t","version":"1"},"startTimestamp":2,"executionStatus":"OPEN"}]}""";
    private static readonly string Types = """{"typeInfos":[{"activityType":{"name":"a1","version":"1"},"workflowType":{"name":"a1","version":"1"},"status":"REGISTERED","creationDate":1}],"nextPageToken":"n"}""";
    private static readonly string Types2 = """{"typeInfos":[{"activityType":{"name":"a2","version":"1"},"workflowType":{"name":"a2","version":"1"},"status":"REGISTERED","creationDate":2}]}""";

    public static IEnumerable<TestCaseData> Lists()
    {
        var filter = new ExecutionTimeFilter { OldestDate = DateTimeOffset.FromUnixTimeSeconds(0) };
        yield return new TestCaseData(Execs, Execs2, (Func<ISwfClient, IAsyncEnumerable<string>>)(c =>
            c.ListAllOpenWorkflowExecutionsAsync(new ListOpenWorkflowExecutionsInput { Domain = "d", StartTimeFilter = filter }).Select(e => e.Execution.WorkflowId)))
            .SetArgDisplayNames("open executions");
        yield return new TestCaseData(Execs, Execs2, (Func<ISwfClient, IAsyncEnumerable<string>>)(c =>
            c.ListAllClosedWorkflowExecutionsAsync(new ListClosedWorkflowExecutionsInput { Domain = "d", StartTimeFilter = filter }).Select(e => e.Execution.WorkflowId)))
            .SetArgDisplayNames("closed executions");
        yield return new TestCaseData(Types, Types2, (Func<ISwfClient, IAsyncEnumerable<string>>)(c =>
            c.ListAllActivityTypesAsync(new ListActivityTypesInput { Domain = "d", RegistrationStatus = RegistrationStatus.Registered }).Select(t => t.ActivityType.Name)))
            .SetArgDisplayNames("activity types");
        yield return new TestCaseData(Types, Types2, (Func<ISwfClient, IAsyncEnumerable<string>>)(c =>
            c.ListAllWorkflowTypesAsync(new ListWorkflowTypesInput { Domain = "d", RegistrationStatus = RegistrationStatus.Registered }).Select(t => t.WorkflowType.Name)))
            .SetArgDisplayNames("workflow types");
    }

    [TestCaseSource(nameof(Lists))]
    public async Task Every_list_operation_is_followed_to_its_last_page(string page1, string page2, Func<ISwfClient, IAsyncEnumerable<string>> list)
    {
        _server.Enqueue(Reply.Json(page1), Reply.Json(page2));

        var names = await All(list(_client));

        Assert.That(names, Has.Count.EqualTo(2));
        Assert.That(Body(1)["nextPageToken"]!.GetValue<string>(), Is.EqualTo("n"));
        Assert.That(Body(1)["domain"]!.GetValue<string>(), Is.EqualTo("d"));
    }
}
