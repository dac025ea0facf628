using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FileProcessing;
using Flow.Swf;

namespace Flow.Samples.Tests;

/// <summary>The file-processing workflow end to end on the embedded service, with the sample's own workers.</summary>
[Parallelizable(ParallelScope.All)]
public sealed class FileProcessingTests
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(90);

    private static string Input => Repository.Path_("samples", "FileProcessing", "input", "durable-workflows.txt");

    [Test]
    public async Task A_real_file_is_uploaded_as_a_gzip_copy_identical_to_the_input_with_a_report_of_its_checksum_and_counts()
    {
        await using var h = await Harness.StartAsync();
        var input = await File.ReadAllBytesAsync(Input);
        var run = await h.Client.StartAsync("end-to-end", h.Job(Input, "end-to-end"));

        var report = await run.GetResultAsync(new CancellationTokenSource(RunTimeout).Token);

        var sha = Convert.ToHexStringLower(SHA256.HashData(input));
        var text = Encoding.UTF8.GetString(input);
        var words = text.Split([' ', '\n', '\t', '\r', '\v', '\f'], StringSplitOptions.RemoveEmptyEntries).Length;
        var lines = input.Count(b => b == (byte)'\n');
        Assert.Multiple(() =>
        {
            Assert.That(report.Sha256, Is.EqualTo(sha));
            Assert.That(report.Bytes, Is.EqualTo(input.Length));
            Assert.That(report.Lines, Is.EqualTo(lines));
            Assert.That(report.Words, Is.EqualTo(words));
            Assert.That(report.CompressedLocation, Is.EqualTo(h.Folder[Path.Combine("bucket", "durable-workflows.txt.gz")]));
            Assert.That(Directory.Exists(h.Folder[Path.Combine("work", "end-to-end")]), Is.False, "the working folder is deleted");
        });

        // The uploaded copy decompresses to the input, byte for byte.
        await using (var gzip = new GZipStream(File.OpenRead(report.CompressedLocation), CompressionMode.Decompress))
        using (var copy = new MemoryStream())
        {
            await gzip.CopyToAsync(copy);
            Assert.That(copy.ToArray(), Is.EqualTo(input));
        }
        Assert.That(new FileInfo(report.CompressedLocation).Length, Is.EqualTo(report.CompressedBytes));

        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(report.ReportLocation));
        var root = json.RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(root.GetProperty("sha256").GetString(), Is.EqualTo(sha));
            Assert.That(root.GetProperty("bytes").GetInt64(), Is.EqualTo(input.Length));
            Assert.That(root.GetProperty("lines").GetInt32(), Is.EqualTo(lines));
            Assert.That(root.GetProperty("words").GetInt32(), Is.EqualTo(words));
        });
    }

    [Test]
    public async Task An_empty_file_and_an_empty_download_give_a_valid_gzip_copy_and_a_report_of_zeros()
    {
        await using var h = await Harness.StartAsync();
        var empty = h.Folder["empty.txt"];
        await File.WriteAllBytesAsync(empty, []);
        using var server = new FileServer([]);

        foreach (var (id, source) in new[] { ("empty-file", empty), ("empty-url", server.Url("empty-download.txt").ToString()) })
        {
            var run = await h.Client.StartAsync(id, h.Job(source, id, bucket: h.Folder[Path.Combine("bucket", id)]));
            var report = await run.GetResultAsync(new CancellationTokenSource(RunTimeout).Token);

            Assert.Multiple(() =>
            {
                Assert.That(report.Sha256, Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData([]))), id);
                Assert.That(report.Bytes, Is.Zero, id);
                Assert.That(report.Lines, Is.Zero, id);
                Assert.That(report.Words, Is.Zero, id);
                Assert.That(new FileInfo(report.CompressedLocation).Length, Is.EqualTo(report.CompressedBytes), id);
            });
            // gzip itself is the judge: a 0-byte file is "unexpected end of file", not an empty gzip stream.
            var (exit, output) = await GzipTestAsync(report.CompressedLocation);
            Assert.That(exit, Is.Zero, $"{id}: gzip -t {report.CompressedLocation}: {output}");
            await using var gzip = new GZipStream(File.OpenRead(report.CompressedLocation), CompressionMode.Decompress);
            using var copy = new MemoryStream();
            await gzip.CopyToAsync(copy);
            Assert.That(copy.Length, Is.Zero, id);
        }
    }

    private static async Task<(int Exit, string Output)> GzipTestAsync(string path)
    {
        using var gzip = ChildProcess.Start("gzip", ["-t", path]);
        return (await gzip.WaitForExitAsync(TimeSpan.FromSeconds(30)), gzip.Output);
    }

    [Test]
    public async Task A_download_that_fails_twice_with_503_is_retried_after_backoff_timers_and_the_job_completes()
    {
        await using var h = await Harness.StartAsync();
        var input = await File.ReadAllBytesAsync(Input);
        using var server = new FileServer(input, failures: 2);
        var run = await h.Client.StartAsync("retry", h.Job(server.Url("durable-workflows.txt").ToString(), "retry"));

        var report = await run.GetResultAsync(new CancellationTokenSource(RunTimeout).Token);

        Assert.That(report.Sha256, Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(input))));
        Assert.That(server.Requests, Is.EqualTo(3));
        var history = await h.Client.Client.GetHistoryAsync(run.Execution);
        var failed = history.Where(e => e.EventType == EventType.ActivityTaskFailed).ToList();
        Assert.That(failed.Select(e => e.ActivityTaskFailedEventAttributes!.Reason),
            Is.EqualTo(new[] { typeof(TransientDownloadException).FullName, typeof(TransientDownloadException).FullName }));
        // One timer bounds the job; one per retry waits out the backoff (1 s, then 2 s) and fires.
        var fired = history.Where(e => e.EventType == EventType.TimerFired).Select(e => e.TimerFiredEventAttributes!.StartedEventId).ToHashSet();
        var retryTimers = history.Where(e => e.EventType == EventType.TimerStarted && fired.Contains(e.EventId))
            .Select(e => e.TimerStartedEventAttributes!.StartToFireTimeout).ToList();
        Assert.That(retryTimers, Is.EqualTo(new[] { "1", "2" }));
        var downloads = history.Count(e => e.EventType == EventType.ActivityTaskScheduled
            && e.ActivityTaskScheduledEventAttributes!.ActivityType.Name == FileActivitiesDispatch.Download.Name);
        Assert.That(downloads, Is.EqualTo(3));
    }

    [Test]
    public async Task A_download_whose_connection_drops_mid_body_is_retried_as_an_IOException_and_the_job_completes()
    {
        await using var h = await Harness.StartAsync();
        var input = await File.ReadAllBytesAsync(Input);
        using var server = new FileServer(input, dropped: 1);
        var run = await h.Client.StartAsync("dropped", h.Job(server.Url("durable-workflows.txt").ToString(), "dropped"));

        var report = await run.GetResultAsync(new CancellationTokenSource(RunTimeout).Token);

        Assert.That(report.Sha256, Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(input))));
        Assert.That(server.Requests, Is.EqualTo(2));
        // Not IOException itself: the policy lists System.IO.IOException, and a subclass matches it.
        var failed = (await h.Client.Client.GetHistoryAsync(run.Execution)).Single(e => e.EventType == EventType.ActivityTaskFailed);
        Assert.That(failed.ActivityTaskFailedEventAttributes!.Reason, Is.EqualTo(typeof(HttpIOException).FullName));
    }

    [Test]
    public async Task A_run_whose_cancellation_is_requested_mid_download_closes_as_canceled_and_leaves_no_working_files()
    {
        await using var h = await Harness.StartAsync();
        using var server = new FileServer(await File.ReadAllBytesAsync(Input), hold: true);
        var job = h.Job(server.Url("durable-workflows.txt").ToString(), "cancel-request");
        var run = await h.Client.StartAsync("cancel-request", job);
        await server.HalfSent.Task.WaitAsync(RunTimeout);
        Assert.That(Directory.Exists(job.WorkFolder), Is.True, "the download has begun writing");

        await run.RequestCancelAsync();
        var closed = Assert.ThrowsAsync<WorkflowCanceledException>(async () => await run.GetResultAsync(new CancellationTokenSource(RunTimeout).Token));
        await DownloadStopsWhileTheServerHoldsIt(h);

        Assert.That(closed!.Status, Is.EqualTo(CloseStatus.Canceled));
        Assert.That(Directory.Exists(job.WorkFolder), Is.False);
        Assert.That((await run.GetStateAsync())?.Stage, Is.EqualTo(Stage.Canceled));
    }

    [Test]
    public async Task The_cancel_signal_stops_a_run_mid_download_cleans_its_working_files_and_fails_it_with_the_reason()
    {
        await using var h = await Harness.StartAsync();
        using var server = new FileServer(await File.ReadAllBytesAsync(Input), hold: true);
        var job = h.Job(server.Url("durable-workflows.txt").ToString(), "cancel-signal");
        var run = await h.Client.StartAsync("cancel-signal", job);
        await server.HalfSent.Task.WaitAsync(RunTimeout);

        await run.CancelAsync("the operator changed their mind");
        var closed = Assert.ThrowsAsync<WorkflowFailedException>(async () => await run.GetResultAsync(new CancellationTokenSource(RunTimeout).Token));
        await DownloadStopsWhileTheServerHoldsIt(h);

        // Flow closes a run as canceled only after SWF recorded a cancel request; a signal is not one, so the run fails
        // with the reason (see the cancel-request test for a canceled close).
        Assert.That(closed!.Status, Is.EqualTo(CloseStatus.Failed));
        Assert.That(closed.Reason, Is.EqualTo(typeof(JobCanceledException).FullName));
        Assert.That(closed.Details, Does.Contain("the operator changed their mind"));
        Assert.That(Directory.Exists(job.WorkFolder), Is.False);
        Assert.That((await run.GetStateAsync())?.Stage, Is.EqualTo(Stage.Canceled));
    }

    /// <summary>The download hears at its next heartbeat (one a second) that its run cancelled it, or has closed, and
    /// stops while the server still holds the rest of the body: without heartbeats it would wait for the server (here,
    /// forever; in life, minutes).</summary>
    private static Task DownloadStopsWhileTheServerHoldsIt(Harness h) =>
        Waiting.UntilAsync(() => Task.FromResult(h.Activities.InFlight == 0), TimeSpan.FromSeconds(15), "the download activity to stop");

    [TestCase("429 Too Many Requests")]
    [TestCase("408 Request Timeout")]
    [TestCase("502 Bad Gateway")]
    public async Task A_download_answered_with_a_status_that_passes_is_retried_and_the_job_completes(string status)
    {
        await using var h = await Harness.StartAsync();
        var input = await File.ReadAllBytesAsync(Input);
        using var server = new FileServer(input, failures: 1, failureStatus: status);
        var id = "status-" + status[..3];
        var run = await h.Client.StartAsync(id, h.Job(server.Url("durable-workflows.txt").ToString(), id));

        var report = await run.GetResultAsync(new CancellationTokenSource(RunTimeout).Token);

        Assert.That(report.Sha256, Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(input))));
        Assert.That(server.Requests, Is.EqualTo(2));
    }

    [Test]
    public async Task A_download_whose_server_does_not_answer_within_the_HTTP_timeout_is_retried_and_the_job_completes()
    {
        await using var h = await Harness.StartAsync(httpTimeout: TimeSpan.FromSeconds(1));
        var input = await File.ReadAllBytesAsync(Input);
        using var server = new FileServer(input, silent: 1);
        var run = await h.Client.StartAsync("silent", h.Job(server.Url("durable-workflows.txt").ToString(), "silent"));

        var report = await run.GetResultAsync(new CancellationTokenSource(RunTimeout).Token);

        Assert.That(report.Sha256, Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(input))));
        Assert.That(server.Requests, Is.EqualTo(2));
        var failed = (await h.Client.Client.GetHistoryAsync(run.Execution)).Single(e => e.EventType == EventType.ActivityTaskFailed);
        Assert.That(failed.ActivityTaskFailedEventAttributes!.Reason, Is.EqualTo(typeof(TransientDownloadException).FullName));
    }

    [Test]
    public async Task A_download_answered_404_is_not_retried_and_fails_the_run_with_the_reason_and_no_working_files()
    {
        await using var h = await Harness.StartAsync();
        using var server = new FileServer([], failures: int.MaxValue, failureStatus: "404 Not Found");
        var job = h.Job(server.Url("missing.txt").ToString(), "not-found");
        var run = await h.Client.StartAsync("not-found", job);

        var closed = Assert.ThrowsAsync<WorkflowFailedException>(async () => await run.GetResultAsync(new CancellationTokenSource(RunTimeout).Token));

        Assert.That(closed!.Reason, Is.EqualTo(typeof(DownloadFailedException).FullName));
        Assert.That(closed.Details, Does.StartWith($"cannot download {server.Url("missing.txt")}: {server.Url("missing.txt")} answered 404 Not Found."));
        Assert.That(server.Requests, Is.EqualTo(1), "a 4xx is not retried");
        Assert.That(Directory.Exists(job.WorkFolder), Is.False);
        Assert.That((await run.GetStateAsync())?.Stage, Is.EqualTo(Stage.Failed));
    }

    [Test]
    public async Task A_local_input_that_is_missing_fails_the_run_once_with_the_reason()
    {
        await using var h = await Harness.StartAsync();
        var missing = h.Folder["no-such-input.txt"];
        var run = await h.Client.StartAsync("missing-file", h.Job(missing, "missing-file"));

        var closed = Assert.ThrowsAsync<WorkflowFailedException>(async () => await run.GetResultAsync(new CancellationTokenSource(RunTimeout).Token));

        Assert.That(closed!.Reason, Is.EqualTo(typeof(DownloadFailedException).FullName));
        Assert.That(closed.Details, Does.StartWith($"cannot download {missing}: Could not find file"));
        var history = await h.Client.Client.GetHistoryAsync(run.Execution);
        Assert.That(history.Count(e => e.EventType == EventType.ActivityTaskFailed), Is.EqualTo(1), "a missing file is not retried");
    }

    [Test]
    public async Task The_job_timer_fires_during_a_download_that_hangs_cancels_it_cleans_up_and_fails_the_run_with_the_deadline()
    {
        await using var h = await Harness.StartAsync();
        using var server = new FileServer(await File.ReadAllBytesAsync(Input), hold: true);
        var job = h.Job(server.Url("durable-workflows.txt").ToString(), "deadline", timeoutSeconds: 1);
        var run = await h.Client.StartAsync("deadline", job);

        var closed = Assert.ThrowsAsync<WorkflowFailedException>(async () => await run.GetResultAsync(new CancellationTokenSource(RunTimeout).Token));
        await DownloadStopsWhileTheServerHoldsIt(h);

        Assert.That(closed!.Reason, Is.EqualTo(typeof(JobCanceledException).FullName));
        Assert.That(closed.Details, Does.StartWith("File processing canceled: the job took longer than 1 s."));
        var history = await h.Client.Client.GetHistoryAsync(run.Execution);
        var timer = history.First(e => e.EventType == EventType.TimerStarted).TimerStartedEventAttributes!;
        Assert.That(timer.StartToFireTimeout, Is.EqualTo("1"));
        Assert.That(history.Any(e => e.EventType == EventType.TimerFired && e.TimerFiredEventAttributes!.TimerId == timer.TimerId));
        Assert.That(history.Any(e => e.EventType == EventType.ActivityTaskCancelRequested), "the download in flight is asked to stop");
        Assert.That(Directory.Exists(job.WorkFolder), Is.False);
    }
}

/// <summary>The embedded service, a temporary folder and the sample's own workers.</summary>
internal sealed class Harness : IAsyncDisposable
{
    public readonly LocalService Service = new();
    public readonly TempFolder Folder = new();
    public HttpClient Http = new();
    public ActivityWorker Activities = null!;
    public WorkflowWorker Decider = null!;
    public FileProcessingClient Client = null!;

    public S3Uploads? S3;

    /// <param name="httpTimeout">How long a download waits for the server's answer (HttpClient's 100 s by default).</param>
    public static async Task<Harness> StartAsync(S3Settings? s3 = null, TimeSpan? httpTimeout = null)
    {
        var h = new Harness { S3 = s3 is null ? null : new S3Uploads(s3) };
        if (httpTimeout is { } timeout)
            h.Http.Timeout = timeout;
        await h.Service.RegisterDomainAsync(FileProcessingWorkers.Domain);
        (h.Activities, h.Decider) = FileProcessingWorkers.Create(h.Service.Swf, h.Http, h.S3);
        await h.Activities.StartAsync();
        await h.Decider.StartAsync();
        h.Client = new FileProcessingClient(h.Service.Client(FileProcessingWorkers.Domain));
        return h;
    }

    public Job Job(string source, string id, string? bucket = null, int timeoutSeconds = 600) =>
        new(source, bucket ?? Folder["bucket"], Folder[Path.Combine("work", id)], timeoutSeconds);

    public async ValueTask DisposeAsync()
    {
        await Decider.StopAsync();
        await Activities.StopAsync();
        Http.Dispose();
        S3?.Dispose();
        Service.Dispose();
        Folder.Dispose();
    }
}
