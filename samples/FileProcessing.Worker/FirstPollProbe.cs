namespace FileProcessing;

/// <summary>Sits in the SWF client's HTTP stack and reports the moment the first long poll goes out: that is
/// when the worker is ready for work (the start-up figure in the sample's note).</summary>
internal sealed class FirstPollProbe(HttpMessageHandler inner, Action<string> firstPoll) : DelegatingHandler(inner)
{
    private int _seen;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _seen) == 0
            && request.Headers.TryGetValues("X-Amz-Target", out var targets)
            && targets.FirstOrDefault() is { } target
            && target.Contains(".PollFor", StringComparison.Ordinal)
            && Interlocked.Exchange(ref _seen, 1) == 0)
        {
            firstPoll(target[(target.LastIndexOf('.') + 1)..]);
        }
        return base.SendAsync(request, cancellationToken);
    }
}
