using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using static MigrationPortal.Infrastructure.Conversion.NbdProtocol;

namespace MigrationPortal.Infrastructure.Conversion;

/// <summary>
/// A minimal NBD server on a unix socket, serving one export to qemu-img: the fixed newstyle handshake with
/// NBD_OPT_GO, NBD_OPT_INFO, NBD_OPT_EXPORT_NAME and NBD_OPT_ABORT (every other option is answered "unsupported", so
/// the client falls back to simple replies and no metadata contexts), then READ, WRITE, WRITE_ZEROES, TRIM, FLUSH and
/// DISC with simple replies. Written here rather than spawning nbdkit so the bytes come from and go to the portal's own
/// objects (the pinned HTTPS reader, the sparse libvirt upload) with nothing on disk.
/// </summary>
internal sealed class NbdServer : IAsyncDisposable
{
    /// <summary>Reads of a concurrent export in flight per connection; qemu-img's -m is at most 16.</summary>
    private const int MaxReadsInFlight = 16;

    private readonly INbdExport export;
    private readonly string exportName;
    private readonly Socket listener;
    private readonly CancellationTokenSource stopping = new();
    private readonly Lock gate = new();
    private readonly List<Task> sessions = [];
    private readonly List<Socket> clients = [];
    private readonly Task acceptLoop;
    private NbdFailure? firstFailure;

    private NbdServer(string socketPath, INbdExport export, string exportName, Socket listener)
    {
        SocketPath = socketPath;
        this.export = export;
        this.exportName = exportName;
        this.listener = listener;
        acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public string SocketPath { get; }

    /// <summary>The URI qemu-img opens the export by.</summary>
    public string ExportUri => $"nbd+unix:///{Uri.EscapeDataString(exportName)}?socket={SocketPath}";

    /// <summary>The first request that failed (a refusal or the export's own exception): what a failed conversion is blamed on.</summary>
    public NbdFailure? FirstFailure
    {
        get { lock (gate) { return firstFailure; } }
    }

    public static NbdServer Start(string socketPath, INbdExport export, string exportName = "")
    {
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(socketPath));
            listener.Listen(4);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
        return new NbdServer(socketPath, export, exportName, listener);
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        listener.Dispose();
        Task[] running;
        lock (gate)
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
            running = [acceptLoop, .. sessions];
        }
        try
        {
            await Task.WhenAll(running);
        }
        catch
        {
            // Each session ends on its own errors; nothing is left to report once the server is going away.
        }
        File.Delete(SocketPath);
        stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            lock (gate)
            {
                if (stopping.IsCancellationRequested)
                {
                    client.Dispose();
                    return;
                }
                clients.Add(client);
                sessions.Add(Task.Run(() => ServeAsync(client)));
            }
        }
    }

    private async Task ServeAsync(Socket client)
    {
        var ct = stopping.Token;
        try
        {
            await using var stream = new NetworkStream(client, ownsSocket: true);
            if (await NegotiateAsync(stream, ct))
            {
                await TransmitAsync(stream, ct);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException or EndOfStreamException)
        {
            // The client went away (qemu-img exited or was killed) or the server is stopping.
        }
        finally
        {
            lock (gate)
            {
                clients.Remove(client);
            }
        }
    }

    /// <summary>The handshake and option haggling; true when the client chose the export and transmission starts.</summary>
    private async Task<bool> NegotiateAsync(NetworkStream stream, CancellationToken ct)
    {
        var greeting = new byte[18];
        BinaryPrimitives.WriteUInt64BigEndian(greeting, NbdMagic);
        BinaryPrimitives.WriteUInt64BigEndian(greeting.AsSpan(8), IHaveOpt);
        BinaryPrimitives.WriteUInt16BigEndian(greeting.AsSpan(16), FlagFixedNewstyle | FlagNoZeroes);
        await stream.WriteAsync(greeting, ct);

        var clientFlagBytes = new byte[4];
        await stream.ReadExactlyAsync(clientFlagBytes, ct);
        var clientFlags = BinaryPrimitives.ReadUInt32BigEndian(clientFlagBytes);
        if ((clientFlags & ~(ClientFlagFixedNewstyle | ClientFlagNoZeroes)) != 0)
        {
            return false; // The protocol says to close on client flags the server does not know.
        }
        var noZeroes = (clientFlags & ClientFlagNoZeroes) != 0;

        var header = new byte[16];
        while (true)
        {
            await stream.ReadExactlyAsync(header, ct);
            if (BinaryPrimitives.ReadUInt64BigEndian(header) != IHaveOpt)
            {
                return false;
            }
            var option = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(8));
            var length = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(12));
            if (length > MaxOptionLength)
            {
                if (option == OptExportName)
                {
                    return false;
                }
                await DiscardAsync(stream, length, ct);
                await SendOptionReplyAsync(stream, option, RepErrTooBig, Encoding.UTF8.GetBytes("option too long"), ct);
                continue;
            }
            var data = new byte[length];
            await stream.ReadExactlyAsync(data, ct);

            switch (option)
            {
                case OptExportName:
                    if (Encoding.UTF8.GetString(data) != exportName)
                    {
                        return false; // NBD_OPT_EXPORT_NAME has no error reply: closing is the refusal.
                    }
                    var reply = new byte[noZeroes ? 10 : 134];
                    BinaryPrimitives.WriteInt64BigEndian(reply, export.Size);
                    BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(8), export.TransmissionFlags);
                    await stream.WriteAsync(reply, ct);
                    return true;

                case OptAbort:
                    await SendOptionReplyAsync(stream, option, RepAck, [], ct);
                    return false;

                case OptInfo:
                case OptGo:
                    var error = CheckInfoRequest(data);
                    if (error is not null)
                    {
                        await SendOptionReplyAsync(stream, option, error.Value.Reply, Encoding.UTF8.GetBytes(error.Value.Message), ct);
                        continue;
                    }
                    var exportInfo = new byte[12];
                    BinaryPrimitives.WriteUInt16BigEndian(exportInfo, InfoExport);
                    BinaryPrimitives.WriteInt64BigEndian(exportInfo.AsSpan(2), export.Size);
                    BinaryPrimitives.WriteUInt16BigEndian(exportInfo.AsSpan(10), export.TransmissionFlags);
                    await SendOptionReplyAsync(stream, option, RepInfo, exportInfo, ct);
                    var blockInfo = new byte[14];
                    BinaryPrimitives.WriteUInt16BigEndian(blockInfo, InfoBlockSize);
                    BinaryPrimitives.WriteUInt32BigEndian(blockInfo.AsSpan(2), 1);
                    BinaryPrimitives.WriteUInt32BigEndian(blockInfo.AsSpan(6), PreferredBlockSize);
                    BinaryPrimitives.WriteUInt32BigEndian(blockInfo.AsSpan(10), MaxPayload);
                    await SendOptionReplyAsync(stream, option, RepInfo, blockInfo, ct);
                    await SendOptionReplyAsync(stream, option, RepAck, [], ct);
                    if (option == OptGo)
                    {
                        return true;
                    }
                    continue;

                default:
                    // STRUCTURED_REPLY, LIST, SET/LIST_META_CONTEXT, STARTTLS and the rest: the client carries on without them.
                    await SendOptionReplyAsync(stream, option, RepErrUnsupported, Encoding.UTF8.GetBytes("unsupported option"), ct);
                    continue;
            }
        }
    }

    /// <summary>Checks NBD_OPT_INFO/GO's data: a 32-bit name length, the name, a 16-bit count and that many 16-bit info types.</summary>
    private (uint Reply, string Message)? CheckInfoRequest(byte[] data)
    {
        if (data.Length < 6)
        {
            return (RepErrInvalid, "option data too short");
        }
        var nameLength = BinaryPrimitives.ReadUInt32BigEndian(data);
        if (nameLength > data.Length - 6)
        {
            return (RepErrInvalid, "export name longer than the option");
        }
        var requests = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(4 + (int)nameLength));
        if (data.Length != 6 + nameLength + 2 * requests)
        {
            return (RepErrInvalid, "option length does not match its information requests");
        }
        var name = Encoding.UTF8.GetString(data, 4, (int)nameLength);
        return name == exportName ? null : (RepErrUnknown, "no such export");
    }

    private async Task TransmitAsync(NetworkStream stream, CancellationToken ct)
    {
        using var sendLock = new SemaphoreSlim(1, 1);
        using var readSlots = new SemaphoreSlim(MaxReadsInFlight, MaxReadsInFlight);
        var header = new byte[28];
        try
        {
            while (true)
            {
                await stream.ReadExactlyAsync(header, ct);
                if (BinaryPrimitives.ReadUInt32BigEndian(header) != RequestMagic)
                {
                    return;
                }
                var type = BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(6));
                var handle = BinaryPrimitives.ReadUInt64BigEndian(header.AsSpan(8));
                var offset = BinaryPrimitives.ReadUInt64BigEndian(header.AsSpan(16));
                var length = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(24));
                var inRange = offset <= (ulong)export.Size && length <= (ulong)export.Size - offset;
                var request = new NbdRequestInfo(type, (long)Math.Min(offset, long.MaxValue), length);

                switch (type)
                {
                    case CmdRead:
                        if (length > MaxPayload || !inRange)
                        {
                            await ReplyAsync(stream, sendLock, handle, Refuse(request, EINVAL, "read outside the export or larger than its maximum block size"), default, ct);
                        }
                        else if (export.ConcurrentReads)
                        {
                            await readSlots.WaitAsync(ct);
                            _ = ReadAndReplyAsync(stream, sendLock, handle, request, ct).ContinueWith(_ => readSlots.Release(), TaskScheduler.Default);
                        }
                        else
                        {
                            await ReadAndReplyAsync(stream, sendLock, handle, request, ct);
                        }
                        break;

                    case CmdWrite:
                        if (length > MaxPayload)
                        {
                            Refuse(request, EINVAL, "write larger than the maximum block size");
                            return; // Its payload cannot be taken in; closing is the only answer left.
                        }
                        var payload = ArrayPool<byte>.Shared.Rent((int)length);
                        try
                        {
                            await stream.ReadExactlyAsync(payload.AsMemory(0, (int)length), ct);
                            var error = (export.TransmissionFlags & TxReadOnly) != 0 ? Refuse(request, EPERM, "the export is read-only")
                                : !inRange ? Refuse(request, ENOSPC, "write beyond the end of the export")
                                : await RunAsync(request, () => export.WriteAsync((long)offset, payload.AsMemory(0, (int)length), ct));
                            await ReplyAsync(stream, sendLock, handle, error, default, ct);
                        }
                        finally
                        {
                            ArrayPool<byte>.Shared.Return(payload);
                        }
                        break;

                    case CmdWriteZeroes:
                    case CmdTrim:
                        {
                            var error = (export.TransmissionFlags & TxReadOnly) != 0 ? Refuse(request, EPERM, "the export is read-only")
                                : !inRange ? Refuse(request, ENOSPC, "request beyond the end of the export")
                                : await RunAsync(request, () => export.ZeroAsync((long)offset, length, ct));
                            await ReplyAsync(stream, sendLock, handle, error, default, ct);
                        }
                        break;

                    case CmdFlush:
                        await ReplyAsync(stream, sendLock, handle, await RunAsync(request, () => export.FlushAsync(ct)), default, ct);
                        break;

                    case CmdDisconnect:
                        return;

                    default:
                        await ReplyAsync(stream, sendLock, handle, Refuse(request, EINVAL, "unsupported command"), default, ct);
                        break;
                }
            }
        }
        finally
        {
            // Let reads still in flight answer (or fail on the closing socket) before the stream goes away.
            for (var i = 0; i < MaxReadsInFlight; i++)
            {
                await readSlots.WaitAsync(CancellationToken.None);
            }
        }
    }

    private async Task ReadAndReplyAsync(NetworkStream stream, SemaphoreSlim sendLock, ulong handle, NbdRequestInfo request, CancellationToken ct)
    {
        var length = (int)request.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(16 + length);
        try
        {
            var error = await RunAsync(request, () => export.ReadAsync(request.Offset, buffer.AsMemory(16, length), ct));
            await ReplyAsync(stream, sendLock, handle, error, error == 0 ? buffer.AsMemory(0, 16 + length) : default, ct);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The connection is closing; its session ends on its own.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Runs one request against the export; its error for the reply (0 on success).</summary>
    private async Task<uint> RunAsync(NbdRequestInfo request, Func<ValueTask> action)
    {
        try
        {
            await action();
            return 0;
        }
        catch (NbdRequestException e)
        {
            Record(request, e);
            return e.Error;
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            return ESHUTDOWN;
        }
        catch (Exception e)
        {
            Record(request, e);
            return EIO;
        }
    }

    private uint Refuse(NbdRequestInfo request, uint error, string message)
    {
        Record(request, new NbdRequestException(error, message));
        return error;
    }

    private void Record(NbdRequestInfo request, Exception e)
    {
        lock (gate)
        {
            firstFailure ??= new NbdFailure(request.Describe(), e);
        }
    }

    /// <summary>
    /// Sends a simple reply. For a successful read <paramref name="frame"/> is the whole frame: 16 bytes left for the header,
    /// then the data, so header and data go out in one write.
    /// </summary>
    private static async Task ReplyAsync(NetworkStream stream, SemaphoreSlim sendLock, ulong handle, uint error, Memory<byte> frame, CancellationToken ct)
    {
        var owned = frame.IsEmpty ? new byte[16] : frame;
        BinaryPrimitives.WriteUInt32BigEndian(owned.Span, SimpleReplyMagic);
        BinaryPrimitives.WriteUInt32BigEndian(owned.Span[4..], error);
        BinaryPrimitives.WriteUInt64BigEndian(owned.Span[8..], handle);
        await sendLock.WaitAsync(ct);
        try
        {
            await stream.WriteAsync(owned, ct);
        }
        finally
        {
            sendLock.Release();
        }
    }

    private static async Task SendOptionReplyAsync(NetworkStream stream, uint option, uint reply, byte[] data, CancellationToken ct)
    {
        var frame = new byte[20 + data.Length];
        BinaryPrimitives.WriteUInt64BigEndian(frame, OptionReplyMagic);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(8), option);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(12), reply);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(16), (uint)data.Length);
        data.CopyTo(frame, 20);
        await stream.WriteAsync(frame, ct);
    }

    private static async Task DiscardAsync(NetworkStream stream, uint length, CancellationToken ct)
    {
        var scratch = new byte[Math.Min(length, 64 * 1024)];
        while (length > 0)
        {
            var chunk = (int)Math.Min(length, (uint)scratch.Length);
            await stream.ReadExactlyAsync(scratch.AsMemory(0, chunk), ct);
            length -= (uint)chunk;
        }
    }
}

/// <summary>One request, for the record of what failed.</summary>
internal readonly record struct NbdRequestInfo(ushort Type, long Offset, uint Length)
{
    public string Describe() => Type switch
    {
        NbdProtocol.CmdRead => "read",
        NbdProtocol.CmdWrite => "write",
        NbdProtocol.CmdWriteZeroes => "write-zeroes",
        NbdProtocol.CmdTrim => "trim",
        NbdProtocol.CmdFlush => "flush",
        _ => $"command {Type}",
    } + (Type == NbdProtocol.CmdFlush ? "" : $" of {Length} bytes at offset {Offset}");
}

/// <summary>The first request a server failed, and why.</summary>
internal sealed record NbdFailure(string Request, Exception Exception);
