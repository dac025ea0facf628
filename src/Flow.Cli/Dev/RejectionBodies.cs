using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Connections;

namespace Flow.Cli.Dev;

/// <summary>
/// Kestrel answers a request it cannot parse (a Content-Length of -1, an HTTP/1.0 POST without one, a broken
/// header) itself, before the front sees it, with a bodiless 4xx that no SWF client can read. This connection
/// middleware gives those answers SWF's JSON error body. It recognises them by what only Kestrel's own
/// rejections carry: an error status with <c>Content-Length: 0</c> and <c>Connection: close</c> (every answer the
/// front writes has a body).
/// </summary>
internal static class RejectionBodies
{
    public static void Use(Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions listen) => listen.Use(next => async connection =>
    {
        IDuplexPipe transport = connection.Transport;
        var output = new Writer(transport.Output);
        connection.Transport = new Duplex(transport.Input, output);
        try
        {
            await next(connection).ConfigureAwait(false);
        }
        finally
        {
            connection.Transport = transport;
            output.Dispose();
        }
    });

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }

    /// <summary>Passes every write through, except that the first bytes after each flush (where a response
    /// starts) are held until they show whether they begin an error status line; only such a response is held
    /// whole until its flush, and rewritten if it is one of Kestrel's bodiless rejections.</summary>
    private sealed class Writer(PipeWriter inner) : PipeWriter, IDisposable
    {
        private const int StatusLinePrefix = 12; // "HTTP/1.1 400"

        private enum Mode { Start, Holding, Through }

        private Mode mode = Mode.Start;
        private byte[] scratch = ArrayPool<byte>.Shared.Rent(4096);
        private readonly ArrayBufferWriter<byte> held = new(512);

        // Where the caller writes: our scratch (from position, as Kestrel goes on writing after an Advance into
        // the memory it already has) or, once a response is known not to be a rejection, the inner writer's memory.
        private bool inScratch;
        private int position;

        public override Memory<byte> GetMemory(int sizeHint = 0)
        {
            if (mode == Mode.Through)
            {
                inScratch = false;
                return inner.GetMemory(sizeHint);
            }
            if (scratch.Length < Math.Max(sizeHint, 1))
            {
                ArrayPool<byte>.Shared.Return(scratch);
                scratch = ArrayPool<byte>.Shared.Rent(sizeHint);
            }
            inScratch = true;
            position = 0;
            return scratch;
        }

        public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

        public override void Advance(int bytes)
        {
            if (!inScratch)
            {
                inner.Advance(bytes);
                return;
            }
            ReadOnlySpan<byte> written = scratch.AsSpan(position, bytes);
            position += bytes;
            if (mode == Mode.Through)
            {
                inner.Write(written);
                return;
            }
            held.Write(written);
            if (mode == Mode.Start && held.WrittenCount >= StatusLinePrefix)
            {
                if (IsErrorStatusLine(held.WrittenSpan))
                    mode = Mode.Holding;
                else
                    Release(Mode.Through);
            }
        }

        /// <summary>Writes what is held on, as it is, and goes on in <paramref name="next"/> mode.</summary>
        private void Release(Mode next)
        {
            if (held.WrittenCount > 0)
                inner.Write(held.WrittenSpan);
            held.Clear();
            mode = next;
        }

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            if (mode == Mode.Holding && TryRewrite(held.WrittenSpan, out byte[] rewritten))
            {
                inner.Write(rewritten);
                held.Clear();
            }
            Release(Mode.Start);
            return inner.FlushAsync(cancellationToken);
        }

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null)
        {
            Release(Mode.Through);
            inner.Complete(exception);
        }

        public override ValueTask CompleteAsync(Exception? exception = null)
        {
            Release(Mode.Through);
            return inner.CompleteAsync(exception);
        }

        public void Dispose()
        {
            byte[] buffer = Interlocked.Exchange(ref scratch, []);
            if (buffer.Length > 0)
                ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary><c>HTTP/1.x 4nn</c> or <c>5nn</c>: the start of a response that may be a rejection.</summary>
    private static bool IsErrorStatusLine(ReadOnlySpan<byte> start) =>
        start.Length >= 10 && start.StartsWith("HTTP/1."u8) && start[8] == (byte)' ' && start[9] is (byte)'4' or (byte)'5';

    /// <summary>A bodiless error answer that closes the connection becomes the same answer with SWF's error body.</summary>
    internal static bool TryRewrite(ReadOnlySpan<byte> response, out byte[] rewritten)
    {
        rewritten = [];
        int end = response.IndexOf("\r\n\r\n"u8);
        if (end < 0 || end + 4 != response.Length || !IsErrorStatusLine(response))
            return false;
        ReadOnlySpan<byte> head = response[..(end + 2)];
        int lengthAt = head.IndexOf("\r\nContent-Length: 0\r\n"u8);
        if (lengthAt < 0 || head.IndexOf("\r\nConnection: close\r\n"u8) < 0)
            return false;
        int status = (head[9] - '0') * 100 + (head[10] - '0') * 10 + (head[11] - '0');

        var body = new ArrayBufferWriter<byte>(192);
        using (var json = new Utf8JsonWriter(body))
            new HttpFault(status, status == 408 ? "com.amazon.coral.service#RequestTimeoutException" : "com.amazon.coral.service#SerializationException",
                Explain(status)).WriteBody(json);
        var text = new StringBuilder();
        text.Append(Encoding.ASCII.GetString(head[..lengthAt]));
        text.Append("\r\nContent-Length: ").Append(body.WrittenCount);
        text.Append("\r\nContent-Type: application/x-amz-json-1.0");
        text.Append("\r\nx-amzn-RequestId: ").Append(Guid.NewGuid());
        text.Append(Encoding.ASCII.GetString(head[(lengthAt + "\r\nContent-Length: 0".Length)..]));
        text.Append("\r\n");
        byte[] headBytes = Encoding.ASCII.GetBytes(text.ToString());
        rewritten = [.. headBytes, .. body.WrittenSpan];
        return true;
    }

    private static string Explain(int status) => status switch
    {
        408 => "The request's headers did not all arrive in time; the connection is closed.",
        411 => "The request has no Content-Length; an HTTP/1.0 request with a body must give one.",
        413 => $"The request body exceeds {SwfHttpFront.MaxBodyBytes} bytes (1 MB), SWF's limit.",
        414 => "The request target is too long.",
        431 => "The request headers are too large.",
        505 => "Unsupported HTTP version; SWF requests are HTTP/1.1.",
        _ => "Malformed HTTP request: its request line or a header (such as Content-Length, Transfer-Encoding or a header's bytes) cannot be read. " +
             "An HTTP/1.0 POST needs a Content-Length.",
    };
}
