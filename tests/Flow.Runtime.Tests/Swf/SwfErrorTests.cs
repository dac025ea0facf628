using System.Net;
using System.Text;
using Flow.Runtime.Tests.Swf.Support;
using Flow.Swf;

namespace Flow.Runtime.Tests.Swf;

public class SwfErrorTests
{
    private static readonly DescribeDomainInput Describe = new() { Name = "orders" };

    private FaultServer _server = null!;
    private SwfClient _client = null!;

    [SetUp]
    public void Start()
    {
        _server = FaultServer.Start();
        _client = new SwfClient(TestClients.Options(_server.Url) with { MaxAttempts = 1 });
    }

    [TearDown]
    public async Task Stop()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [TestCase("UnknownResourceFault", typeof(UnknownResourceException))]
    [TestCase("TypeAlreadyExistsFault", typeof(TypeAlreadyExistsException))]
    [TestCase("DomainAlreadyExistsFault", typeof(DomainAlreadyExistsException))]
    [TestCase("DefaultUndefinedFault", typeof(DefaultUndefinedException))]
    [TestCase("TypeDeprecatedFault", typeof(TypeDeprecatedException))]
    [TestCase("DomainDeprecatedFault", typeof(DomainDeprecatedException))]
    [TestCase("TypeNotDeprecatedFault", typeof(TypeNotDeprecatedException))]
    [TestCase("WorkflowExecutionAlreadyStartedFault", typeof(WorkflowExecutionAlreadyStartedException))]
    [TestCase("LimitExceededFault", typeof(LimitExceededException))]
    [TestCase("OperationNotPermittedFault", typeof(OperationNotPermittedException))]
    [TestCase("TooManyTagsFault", typeof(TooManyTagsException))]
    [TestCase("ValidationException", typeof(SwfValidationException))]
    [TestCase("UnrecognizedClientException", typeof(SwfAccessDeniedException))]
    [TestCase("InvalidSignatureException", typeof(SwfAccessDeniedException))]
    [TestCase("IncompleteSignatureException", typeof(SwfAccessDeniedException))]
    [TestCase("MissingAuthenticationTokenException", typeof(SwfAccessDeniedException))]
    public void A_fault_surfaces_as_its_typed_exception_with_the_service_message_and_request_id(string fault, Type expected)
    {
        _server.Enqueue(Reply.Fault(400, fault, "the service says no", requestId: "rid-42"));

        var thrown = Assert.CatchAsync<SwfException>(() => _client.DescribeDomainAsync(Describe));

        Assert.That(thrown, Is.TypeOf(expected));
        Assert.That(thrown!.ErrorCode, Is.EqualTo(fault));
        Assert.That(thrown.Message, Is.EqualTo("the service says no"));
        Assert.That(thrown.RequestId, Is.EqualTo("rid-42"));
        Assert.That(thrown.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [TestCase(400, "ThrottlingException", true)]
    [TestCase(400, "Throttling", true)]
    [TestCase(400, "RequestLimitExceeded", true)]
    [TestCase(429, "HttpStatus429", true)]
    [TestCase(408, "RequestTimeoutException", true)]
    [TestCase(500, "InternalFailure", true)]
    [TestCase(503, "HttpStatus503", true)]
    [TestCase(400, "LimitExceededFault", false)]
    [TestCase(400, "UnknownResourceFault", false)]
    [TestCase(400, "ValidationException", false)]
    [TestCase(400, "OperationNotPermittedFault", false)]
    [TestCase(403, "AccessDeniedException", false)]
    [TestCase(404, "HttpStatus404", false)]
    public void Throttling_timeouts_and_server_faults_are_retryable_by_the_client_and_the_workers_alike(int status, string fault, bool retryable)
    {
        var e = SwfException.Create(fault, "m", (HttpStatusCode)status, null);

        Assert.That(e.IsRetryable, Is.EqualTo(retryable));
        Assert.That(Flow.Workers.RetryBackoff.IsTransient(e, CancellationToken.None), Is.EqualTo(retryable));
    }

    [Test]
    public void A_throttling_fault_that_outlasts_the_retries_surfaces_as_ThrottlingException()
    {
        _server.Enqueue(Reply.Fault(400, "ThrottlingException", "Rate exceeded"));

        Assert.ThrowsAsync<ThrottlingException>(() => _client.DescribeDomainAsync(Describe));
    }

    [Test]
    public void An_unknown_fault_still_surfaces_with_its_name()
    {
        _server.Enqueue(Reply.Fault(400, "BrandNewFault", "something new"));

        var thrown = Assert.CatchAsync<SwfException>(() => _client.DescribeDomainAsync(Describe));

        Assert.That(thrown, Is.TypeOf<SwfException>());
        Assert.That(thrown!.ErrorCode, Is.EqualTo("BrandNewFault"));
        Assert.That(thrown.Message, Is.EqualTo("something new"));
    }

    [Test]
    public void An_HTML_error_page_surfaces_as_a_service_error_naming_the_status()
    {
        _server.Enqueue(Reply.Html(404));

        var thrown = Assert.CatchAsync<SwfException>(() => _client.DescribeDomainAsync(Describe));

        Assert.That(thrown!.ErrorCode, Is.EqualTo("HttpStatus404"));
        Assert.That(thrown.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(thrown.Message, Does.Contain("DescribeDomain").And.Contain("HTTP 404").And.Contain("Something broke"));
    }

    [Test]
    public void An_empty_error_body_surfaces_as_a_service_error_naming_the_status()
    {
        _server.Enqueue(Reply.Empty(400));

        var thrown = Assert.CatchAsync<SwfException>(() => _client.DescribeDomainAsync(Describe));

        Assert.That(thrown!.ErrorCode, Is.EqualTo("HttpStatus400"));
        Assert.That(thrown.Message, Does.Contain("HTTP 400").And.Contain("empty body"));
    }

    [Test]
    public void A_success_body_that_is_not_the_expected_shape_surfaces_as_an_invalid_response()
    {
        _server.Enqueue(Reply.Json("""{"domainInfo": "not an object"}"""));

        var thrown = Assert.CatchAsync<SwfException>(() => _client.DescribeDomainAsync(Describe));

        Assert.That(thrown!.ErrorCode, Is.EqualTo("InvalidResponse"));
        Assert.That(thrown.InnerException, Is.Not.Null);
    }

    private static readonly RegisterDomainInput Register = new() { Name = "orders", WorkflowExecutionRetentionPeriodInDays = "1" };

    [Test]
    public void An_HTML_page_with_status_200_is_not_the_success_of_an_operation_without_output()
    {
        _server.Enqueue(Reply.Html(404) with { Status = 200 });

        var thrown = Assert.CatchAsync<SwfException>(() => _client.RegisterDomainAsync(Register));

        Assert.That(thrown!.ErrorCode, Is.EqualTo("InvalidResponse"));
        Assert.That(thrown.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(thrown.Message, Does.StartWith("SWF answered RegisterDomain with HTTP 200 (text/html; charset=utf-8) and a body that is not a JSON object.")
            .And.Contain("It begins: \"<!doctype html> <html><title>404 Error</title>"));
    }

    [TestCase("")]
    [TestCase("{}")]
    [TestCase(" {} \r\n")]
    public void An_operation_without_output_succeeds_on_an_empty_body_or_an_empty_object(string body)
    {
        _server.Enqueue(Reply.Json(body));

        Assert.DoesNotThrowAsync(() => _client.RegisterDomainAsync(Register));
    }

    [TestCase("""{"oops": """, "application/x-amz-json-1.0", TestName = "A truncated JSON body with status 200")]
    [TestCase("OK", "text/plain", TestName = "A plain-text body with status 200")]
    [TestCase("{} {}", "application/x-amz-json-1.0", TestName = "Two JSON objects with status 200")]
    public void A_body_that_is_not_one_json_object_fails_an_operation_without_output(string body, string contentType)
    {
        _server.Enqueue(Reply.Json(body) with { ContentType = contentType });

        var thrown = Assert.CatchAsync<SwfException>(() => _client.RegisterDomainAsync(Register));

        Assert.That(thrown!.ErrorCode, Is.EqualTo("InvalidResponse"));
        Assert.That(thrown.Message, Does.StartWith($"SWF answered RegisterDomain with HTTP 200 ({contentType}) and a body that is not a JSON object"));
    }

    [Test]
    public void An_empty_body_where_output_belongs_is_an_invalid_response()
    {
        _server.Enqueue(Reply.Empty(200));

        var thrown = Assert.CatchAsync<SwfException>(() => _client.ListDomainsAsync(new ListDomainsInput { RegistrationStatus = RegistrationStatus.Registered }));

        Assert.That(thrown!.ErrorCode, Is.EqualTo("InvalidResponse"));
        Assert.That(thrown.Message, Is.EqualTo("SWF answered ListDomains with HTTP 200 (no content type) and an empty body, where its output (a JSON object) belongs."));
    }

    [TestCase("<html><body>Welcome</body></html>")]
    [TestCase("[]")]
    [TestCase("""{"domainInfos": []""")]
    public void A_body_with_output_that_is_not_one_json_object_is_an_invalid_response(string body)
    {
        _server.Enqueue(Reply.Json(body));

        var thrown = Assert.CatchAsync<SwfException>(() => _client.ListDomainsAsync(new ListDomainsInput { RegistrationStatus = RegistrationStatus.Registered }));

        Assert.That(thrown!.ErrorCode, Is.EqualTo("InvalidResponse"));
        Assert.That(thrown.Message, Does.StartWith("SWF answered ListDomains with HTTP 200 (application/x-amz-json-1.0) and a body that is not a JSON object")
            .And.Contain("It begins: \"" + body[..Math.Min(body.Length, 10)]));
    }

    // Decision tasks and history pages go through the lean reader: the same objects, and the same errors, as the
    // generated metadata gives for every other answer.
    private const string DecisionTaskBody =
        """{"taskToken":"tok","startedEventId":3,"workflowExecution":{"workflowId":"w","runId":"r"},"workflowType":{"name":"T","version":"1"},"events":[""" +
        """{"eventId":1,"eventType":"DecisionTaskScheduled","eventTimestamp":1.5E9,"decisionTaskScheduledEventAttributes":{"taskList":{"name":"q"},"startToCloseTimeout":"60"}},""" +
        """{"eventId":2,"eventType":"TimerStarted","eventTimestamp":1500000001,"timerStartedEventAttributes":{"timerId":"t1","startToFireTimeout":"5","decisionTaskCompletedEventId":1}},""" +
        """{"eventId":3,"eventType":"DecisionTaskStarted","eventTimestamp":1500000002.25,"decisionTaskStartedEventAttributes":{"identity":"me","scheduledEventId":1}}]}""";

    [Test]
    public async Task A_decision_task_and_a_history_page_read_as_the_generated_metadata_reads_them()
    {
        _server.Enqueue(Reply.Json(DecisionTaskBody));
        _server.Enqueue(Reply.Json(DecisionTaskBody));

        var task = await _client.PollForDecisionTaskAsync(new() { Domain = "d", TaskList = new() { Name = "q" } });
        var page = await _client.GetWorkflowExecutionHistoryAsync(new() { Domain = "d", Execution = new() { WorkflowId = "w", RunId = "r" } });

        var expected = System.Text.Json.JsonSerializer.Deserialize(DecisionTaskBody, SwfJsonContext.Default.DecisionTask)!;
        Assert.That(System.Text.Json.JsonSerializer.Serialize(task, SwfJsonContext.Default.DecisionTask),
            Is.EqualTo(System.Text.Json.JsonSerializer.Serialize(expected, SwfJsonContext.Default.DecisionTask)));
        Assert.That(task.Events.Select(e => e.EventType), Is.EqualTo(new[] { EventType.DecisionTaskScheduled, EventType.TimerStarted, EventType.DecisionTaskStarted }));
        Assert.That(task.Events[2].EventTimestamp, Is.EqualTo(DateTimeOffset.FromUnixTimeMilliseconds(1_500_000_002_250)));
        Assert.That(System.Text.Json.JsonSerializer.Serialize(page.Events, SwfJsonContext.Default.ListHistoryEvent),
            Is.EqualTo(System.Text.Json.JsonSerializer.Serialize(expected.Events, SwfJsonContext.Default.ListHistoryEvent)));
    }

    [TestCase(DecisionTaskBody + " {}", "a body that is not a JSON object (")]
    [TestCase("""{"taskToken":"tok","events":{"eventId":1}}""", "a body that is not a valid DecisionTask (")]
    [TestCase("""{"taskToken":"tok","startedEventId":"three","events":[]}""", "a body that is not a valid DecisionTask (")]
    [TestCase("""{"taskToken":"tok","events":[{"eventId":1,"eventType":"DecisionTaskStarted","eventTimestamp":"soon"}]}""", "a body that is not a valid DecisionTask (")]
    public void A_broken_decision_task_is_an_invalid_response_that_says_what_is_wrong(string body, string expected)
    {
        _server.Enqueue(Reply.Json(body));

        var thrown = Assert.CatchAsync<SwfException>(() => _client.PollForDecisionTaskAsync(new() { Domain = "d", TaskList = new() { Name = "q" } }));

        Assert.That(thrown!.ErrorCode, Is.EqualTo("InvalidResponse"));
        Assert.That(thrown.Message, Does.StartWith("SWF answered PollForDecisionTask with HTTP 200 (application/x-amz-json-1.0) and " + expected));
    }

    [Test]
    public void The_fault_name_can_come_from_the_error_type_header_alone()
    {
        var fault = SwfErrorReader.Read("DescribeDomain", HttpStatusCode.BadRequest, "Bad Request", "rid",
            "UnknownResourceFault:http://internal.amazon.com/coral/com.amazonaws.swf.base.model/", Encoding.UTF8.GetBytes("""{"message":"gone"}"""));

        Assert.That(fault, Is.TypeOf<UnknownResourceException>());
        Assert.That(fault.Message, Is.EqualTo("gone"));
    }

    [TestCase("com.amazonaws.swf.base.model#UnknownResourceFault", "UnknownResourceFault")]
    [TestCase("UnknownResourceFault", "UnknownResourceFault")]
    [TestCase("ThrottlingException:http://internal.amazon.com/", "ThrottlingException")]
    [TestCase("", null)]
    public void A_fault_name_loses_its_namespace(string type, string? expected) =>
        Assert.That(SwfErrorReader.FaultName(type), Is.EqualTo(expected));
}
