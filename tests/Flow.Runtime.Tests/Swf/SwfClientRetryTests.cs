using System.Diagnostics;
using System.Net;
using Flow.Runtime.Tests.Swf.Support;
using Flow.Swf;

namespace Flow.Runtime.Tests.Swf;

public class SwfClientRetryTests
{
    private const string OneDomain = """{"domainInfos":[{"name":"orders","status":"REGISTERED"}]}""";
    private static readonly ListDomainsInput Registered = new() { RegistrationStatus = RegistrationStatus.Registered };

    private FaultServer _server = null!;

    [SetUp]
    public void StartServer() => _server = FaultServer.Start();

    [TearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    private SwfClient Client(Func<SwfClientOptions, SwfClientOptions>? configure = null)
    {
        var options = TestClients.Options(_server.Url);
        return new SwfClient(configure is null ? options : configure(options));
    }

    [Test]
    public async Task A_throttled_call_succeeds_once_the_throttling_stops()
    {
        _server.Enqueue(
            Reply.Fault(400, "ThrottlingException", "Rate exceeded"),
            Reply.Fault(400, "ThrottlingException", "Rate exceeded"),
            Reply.Json(OneDomain));
        using var client = Client();

        var domains = await client.ListDomainsAsync(Registered);

        Assert.That(domains.Items.Single().Name, Is.EqualTo("orders"));
        Assert.That(_server.Requests, Has.Count.EqualTo(3));
    }

    [Test]
    public async Task A_call_succeeds_after_server_errors_in_JSON_HTML_and_empty_bodies()
    {
        _server.Enqueue(Reply.Fault(500, "InternalFailure", "oops"), Reply.Html(503), Reply.Empty(502), Reply.Json(OneDomain));
        using var client = Client(o => o with { MaxAttempts = 4 });

        var domains = await client.ListDomainsAsync(Registered);

        Assert.That(domains.Items.Single().Name, Is.EqualTo("orders"));
        Assert.That(_server.Requests, Has.Count.EqualTo(4));
    }

    [Test]
    public async Task A_call_succeeds_after_closed_and_reset_connections()
    {
        _server.Enqueue(Reply.Close, Reply.Reset, Reply.Json(OneDomain));
        using var client = Client();

        var domains = await client.ListDomainsAsync(Registered);

        Assert.That(domains.Items.Single().Name, Is.EqualTo("orders"));
        Assert.That(_server.Requests, Has.Count.EqualTo(3));
    }

    [Test]
    public async Task A_slow_answer_is_abandoned_at_the_timeout_and_the_call_retried()
    {
        _server.Enqueue(Reply.Hang);
        _server.Default = Reply.Json(OneDomain);
        using var client = Client(o => o with { RequestTimeout = TimeSpan.FromMilliseconds(500) });

        var domains = await client.ListDomainsAsync(Registered);

        Assert.That(domains.Items.Single().Name, Is.EqualTo("orders"));
        Assert.That(_server.Requests, Has.Count.GreaterThanOrEqualTo(2)); // a loaded machine may need more than one retry
        await _server.HungClientLeft.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [TestCase(429, "TooManyRequestsException")]
    [TestCase(429, null, TestName = "A call succeeds after a 429 with an empty body")]
    [TestCase(400, "Throttling")]
    [TestCase(408, "RequestTimeoutException")]
    public async Task A_call_succeeds_after_a_throttling_or_timeout_fault(int status, string? fault)
    {
        _server.Enqueue(fault is null ? Reply.Empty(status) : Reply.Fault(status, fault, "later"), Reply.Json(OneDomain));
        using var client = Client();

        var domains = await client.ListDomainsAsync(Registered);

        Assert.That(domains.Items.Single().Name, Is.EqualTo("orders"));
        Assert.That(_server.Requests, Has.Count.EqualTo(2));
    }

    [TestCase(400, "UnknownResourceFault", typeof(UnknownResourceException))]
    [TestCase(400, "ValidationException", typeof(SwfValidationException))]
    [TestCase(400, "LimitExceededFault", typeof(LimitExceededException))]
    [TestCase(403, "AccessDeniedException", typeof(SwfAccessDeniedException))]
    [TestCase(400, "OperationNotPermittedFault", typeof(OperationNotPermittedException))]
    public void A_client_fault_is_thrown_at_once_without_a_retry(int status, string fault, Type expected)
    {
        _server.Enqueue(Reply.Fault(status, fault, "no"));
        using var client = Client();

        var thrown = Assert.CatchAsync<SwfException>(() => client.ListDomainsAsync(Registered));

        Assert.That(thrown, Is.TypeOf(expected));
        Assert.That(_server.Requests, Has.Count.EqualTo(1));
    }

    [Test]
    public void Retries_stop_after_MaxAttempts_with_the_last_fault()
    {
        _server.Default = Reply.Html(503);
        using var client = Client(o => o with { MaxAttempts = 3 });

        var thrown = Assert.CatchAsync<SwfException>(() => client.ListDomainsAsync(Registered));

        Assert.That(thrown!.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(thrown.ErrorCode, Is.EqualTo("HttpStatus503"));
        Assert.That(_server.Requests, Has.Count.EqualTo(3));
    }

    [Test]
    public void A_server_that_never_answers_ends_in_a_TimeoutException_after_every_attempt()
    {
        _server.Default = Reply.Hang;
        using var client = Client(o => o with { MaxAttempts = 2, RequestTimeout = TimeSpan.FromMilliseconds(100) });

        var thrown = Assert.ThrowsAsync<TimeoutException>(() => client.ListDomainsAsync(Registered));

        Assert.That(thrown!.Message, Does.Contain("ListDomains").And.Contain("2 attempts"));
        Assert.That(_server.Requests, Has.Count.EqualTo(2));
    }

    [Test]
    public void Long_polls_wait_for_the_long_poll_timeout_not_the_request_timeout()
    {
        _server.Default = Reply.Hang;
        using var client = Client(o => o with
        {
            MaxAttempts = 1,
            RequestTimeout = TimeSpan.FromMinutes(5),
            LongPollTimeout = TimeSpan.FromMilliseconds(150),
        });

        var thrown = Assert.ThrowsAsync<TimeoutException>(() => client.PollForDecisionTaskAsync(
            new PollForDecisionTaskInput { Domain = "d", TaskList = new TaskList { Name = "main" } }));

        Assert.That(thrown!.Message, Does.Contain("PollForDecisionTask within 0.15 s"));
    }

    [Test]
    public async Task Cancelling_stops_a_long_poll_promptly_and_closes_its_connection()
    {
        _server.Default = Reply.Hang;
        using var client = Client(); // the long poll timeout stays at its 70 s default
        using var cts = new CancellationTokenSource();

        var poll = client.PollForActivityTaskAsync(
            new PollForActivityTaskInput { Domain = "d", TaskList = new TaskList { Name = "main" } }, cts.Token);
        await _server.NextArrivalAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        var clock = Stopwatch.StartNew();
        cts.Cancel();

        Assert.CatchAsync<OperationCanceledException>(async () => await poll.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(2)));
        await _server.HungClientLeft.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Test]
    public async Task Cancelling_during_the_backoff_stops_the_retries()
    {
        _server.Default = Reply.Html(503);
        using var client = Client(o => o with { BaseRetryDelay = TimeSpan.FromMinutes(10), MaxRetryDelay = TimeSpan.FromMinutes(10) });
        using var cts = new CancellationTokenSource();

        var call = client.ListDomainsAsync(Registered, cts.Token);
        await _server.NextArrivalAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        cts.Cancel();

        Assert.CatchAsync<OperationCanceledException>(async () => await call.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Test]
    public void A_call_with_a_cancelled_token_sends_nothing()
    {
        using var client = Client();

        Assert.CatchAsync<OperationCanceledException>(() => client.ListDomainsAsync(Registered, new CancellationToken(canceled: true)));

        Assert.That(_server.Requests, Is.Empty);
    }

    [TestCase(1, 100)]
    [TestCase(3, 400)]
    [TestCase(30, 1000)]
    public void Backoff_is_drawn_uniformly_from_zero_to_a_ceiling_that_doubles_up_to_the_cap(int retry, double ceilingMs)
    {
        var draws = Enumerable.Range(0, 2000)
            .Select(_ => SwfClient.Backoff(retry, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(1000)).TotalMilliseconds)
            .ToList();

        Assert.That(draws, Has.All.InRange(0.0, ceilingMs));
        // Full jitter: each quarter of [0, ceiling] gets about a quarter of the draws (500 ± 5 standard deviations);
        // a constant, a floor (equal jitter) or a lower ceiling would leave a quarter nearly empty.
        var perQuarter = Enumerable.Range(0, 4).Select(q => draws.Count(d => Math.Min(3, (int)(d / ceilingMs * 4)) == q));
        Assert.That(perQuarter, Has.All.InRange(400, 600));
    }
}
