using Flow;

namespace FileProcessing;

/// <summary>The decider's logic. It runs on Flow's deterministic scheduler: no clocks, threads or I/O here;
/// everything that touches the world is an activity, and time is a durable timer.</summary>
public sealed class FileProcessingWorkflow : IFileProcessing
{
    private static readonly RetryPolicy DownloadRetries = new()
    {
        MaximumAttempts = 4,
        InitialInterval = TimeSpan.FromSeconds(1),
        BackoffCoefficient = 2,
        MaximumInterval = TimeSpan.FromSeconds(30),
        // TransientDownloadException: a 5xx, 408 or 429, or no answer within HttpClient's timeout. HttpRequestException and
        // IOException: a refused or dropped connection. ActivityTimedOutException: the heartbeats stopped (the worker died).
        RetryableReasons = [typeof(TransientDownloadException).FullName!, "System.Net.Http.HttpRequestException", "System.IO.IOException",
            nameof(ActivityTimedOutException)],
        // A listed type also matches its subclasses, and a missing local input is an IOException too: it will not appear
        // by trying again. The non-retryable list is checked first.
        NonRetryableReasons = [typeof(FileNotFoundException).FullName!, typeof(DirectoryNotFoundException).FullName!],
    };

    private readonly CancellationTokenSource _cancel = new();
    private string? _cancelReason;

    public Progress Status { get; private set; } = new(Stage.Starting, 0, null);

    public async Task<Report> RunAsync(Job job)
    {
        // SWF's own cancellation (RequestCancelWorkflowExecution) takes the same path as the cancel signal; after it,
        // the run closes as canceled rather than failed.
        using var cancelRequested = Workflow.CancellationToken.Register(() =>
        {
            _cancelReason ??= "cancellation was requested";
            _cancel.Cancel();
        });
        var activities = new FileActivitiesClient(new ActivityOptions { CancellationToken = _cancel.Token });

        // A durable timer bounds the whole job: when it fires first, the work in flight is cancelled.
        using var deadline = new CancellationTokenSource();
        var timeout = Workflow.DelayAsync(TimeSpan.FromSeconds(job.TimeoutSeconds), deadline.Token);
        var work = ProcessAsync(activities, job);
        var first = await Task.WhenAny(work, timeout);
        if (first == timeout && !work.IsCompleted)
        {
            _cancelReason = $"the job took longer than {job.TimeoutSeconds} s";
            _cancel.Cancel();
        }
        else
        {
            deadline.Cancel();
        }

        try
        {
            var report = await work;
            Status = new Progress(Stage.Done, report.Bytes, report.CompressedLocation);
            return report;
        }
        catch (Exception) when (_cancel.IsCancellationRequested)
        {
            Status = new Progress(Stage.Canceled, Status.Bytes, _cancelReason);
            // The activity in flight hears of the cancel at its next heartbeat and may still be writing now (or not have
            // created the folder yet): it removes what it wrote unless it finished before the cancel (see WritingAsync),
            // so this cleanup and its own leave nothing behind in either order.
            await new FileActivitiesClient().DeleteAsync(job.WorkFolder);
            // After SWF's cancel request an OperationCanceledException closes the run as canceled. A signal or the
            // deadline is not such a request: the run fails, and the reason says why.
            if (Workflow.CancellationToken.IsCancellationRequested)
                throw new OperationCanceledException($"File processing canceled: {_cancelReason}.");
            throw new JobCanceledException($"File processing canceled: {_cancelReason}.");
        }
    }

    private async Task<Report> ProcessAsync(FileActivitiesClient activities, Job job)
    {
        try
        {
            Status = new Progress(Stage.Downloading, 0, job.Source);
            Downloaded downloaded;
            try
            {
                downloaded = await activities.WithOptions(new ActivityOptions { RetryPolicy = DownloadRetries, CancellationToken = _cancel.Token })
                    .DownloadAsync(job.Source, job.WorkFolder);
            }
            catch (ActivityFailedException e) when (!_cancel.IsCancellationRequested)
            {
                // The input is missing or unreachable (after the retries): the run's reason says so, and its
                // message is the activity's own, without Flow's wrapping.
                Status = Status with { Stage = Stage.Failed };
                await new FileActivitiesClient().DeleteAsync(job.WorkFolder);
                throw new DownloadFailedException($"cannot download {job.Source}: {e.ErrorMessage ?? e.Reason}");
            }

            Status = new Progress(Stage.Processing, downloaded.Bytes, downloaded.LocalPath);
            var processed = await activities.ProcessAsync(downloaded.LocalPath, job.WorkFolder);

            Status = new Progress(Stage.Uploading, processed.Bytes, job.Bucket);
            var uploaded = await activities.UploadAsync(processed, job.Bucket);

            Status = new Progress(Stage.Cleaning, processed.Bytes, job.WorkFolder);
            await activities.DeleteAsync(job.WorkFolder);

            return new Report(job.Source, processed.Sha256, processed.Bytes, processed.CompressedBytes,
                processed.Lines, processed.Words, uploaded.CompressedLocation, uploaded.ReportLocation);
        }
        catch (Exception e) when (e is ActivityFailedException or ActivityTimedOutException or ScheduleActivityTaskFailedException
            && !_cancel.IsCancellationRequested)
        {
            Status = Status with { Stage = Stage.Failed };
            // Leave no working files behind, then fail the run with the activity's reason.
            await new FileActivitiesClient().DeleteAsync(job.WorkFolder);
            throw;
        }
    }

    public Task CancelAsync(string reason)
    {
        _cancelReason = reason;
        // Cancel(), not CancelAsync(): the callbacks must run on the workflow's scheduler, not the thread pool.
        _cancel.Cancel();
        return Task.CompletedTask;
    }
}

/// <summary>The input could not be downloaded: no such file, a 4xx, or still failing after the retries.</summary>
public sealed class DownloadFailedException(string message) : Exception(message);

/// <summary>The job was stopped by the cancel signal or by its deadline.</summary>
public sealed class JobCanceledException(string message) : Exception(message);
