using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Infrastructure.Conversion;

namespace MigrationPortal.Application.Tests.Conversion;

/// <summary>
/// The NBD server's handshake and transmission at the byte level, for the paths qemu-img does not take (it always uses
/// NBD_OPT_GO): NBD_OPT_EXPORT_NAME, NBD_OPT_LIST, NBD_OPT_ABORT, and a read on the old-style export.
/// </summary>
public sealed class NbdServerTests : IAsyncLifetime
{
    private readonly string folder = Directory.CreateTempSubdirectory("mp-nbd-").FullName;
    private readonly byte[] content = Enumerable.Range(0, 8192).Select(i => (byte)(i * 7)).ToArray();
    private NbdServer server = null!;

    public Task InitializeAsync()
    {
        server = NbdServer.Start(Path.Combine(folder, "s"), new SourceDiskExport(new MemoryDisk(content)));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        Assert.False(File.Exists(Path.Combine(folder, "s")), "the socket file outlived the server");
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task ExportName_GivesSizeAndReadOnlyFlags_AndServesReads()
    {
        await using var stream = await ConnectAsync();
        await SendOptionAsync(stream, NbdProtocol.OptExportName, []);

        var reply = await ReadAsync(stream, 10);
        Assert.Equal(content.Length, BinaryPrimitives.ReadInt64BigEndian(reply));
        Assert.Equal(NbdProtocol.TxHasFlags | NbdProtocol.TxReadOnly, BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(8)));

        await SendRequestAsync(stream, NbdProtocol.CmdRead, handle: 42, offset: 1000, length: 100);
        var header = await ReadAsync(stream, 16);
        Assert.Equal(NbdProtocol.SimpleReplyMagic, BinaryPrimitives.ReadUInt32BigEndian(header));
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4)));
        Assert.Equal(42ul, BinaryPrimitives.ReadUInt64BigEndian(header.AsSpan(8)));
        Assert.Equal(content.AsSpan(1000, 100).ToArray(), await ReadAsync(stream, 100));

        await SendRequestAsync(stream, NbdProtocol.CmdWrite, handle: 43, offset: 0, length: 4, payload: [1, 2, 3, 4]);
        header = await ReadAsync(stream, 16);
        Assert.Equal(NbdProtocol.EPERM, BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4)));

        await SendRequestAsync(stream, NbdProtocol.CmdRead, handle: 44, offset: 8000, length: 500);
        header = await ReadAsync(stream, 16);
        Assert.Equal(NbdProtocol.EINVAL, BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4)));
        Assert.Equal("write of 4 bytes at offset 0", server.FirstFailure?.Request);
    }

    [Fact]
    public async Task Options_AnswerUnsupported_ForListAndStructuredReplies_ThenAbortIsAcknowledged()
    {
        await using var stream = await ConnectAsync();

        foreach (var option in new uint[] { 3, 8 }) // NBD_OPT_LIST, NBD_OPT_STRUCTURED_REPLY
        {
            await SendOptionAsync(stream, option, []);
            var (replyOption, type, _) = await ReadOptionReplyAsync(stream);
            Assert.Equal(option, replyOption);
            Assert.Equal(NbdProtocol.RepErrUnsupported, type);
        }

        await SendOptionAsync(stream, NbdProtocol.OptAbort, []);
        var (_, ack, _) = await ReadOptionReplyAsync(stream);
        Assert.Equal(NbdProtocol.RepAck, ack);
        Assert.Equal(0, await stream.ReadAsync(new byte[1]));
    }

    [Fact]
    public async Task Go_RefusesAnUnknownExportName()
    {
        await using var stream = await ConnectAsync();
        var name = Encoding.UTF8.GetBytes("other");
        var data = new byte[4 + name.Length + 2];
        BinaryPrimitives.WriteUInt32BigEndian(data, (uint)name.Length);
        name.CopyTo(data, 4);

        await SendOptionAsync(stream, NbdProtocol.OptGo, data);

        var (_, type, _) = await ReadOptionReplyAsync(stream);
        Assert.Equal(NbdProtocol.RepErrUnknown, type);
    }

    private async Task<NetworkStream> ConnectAsync()
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(server.SocketPath));
        var stream = new NetworkStream(socket, ownsSocket: true);
        var greeting = await ReadAsync(stream, 18);
        Assert.Equal(NbdProtocol.NbdMagic, BinaryPrimitives.ReadUInt64BigEndian(greeting));
        Assert.Equal(NbdProtocol.IHaveOpt, BinaryPrimitives.ReadUInt64BigEndian(greeting.AsSpan(8)));
        Assert.Equal(NbdProtocol.FlagFixedNewstyle | NbdProtocol.FlagNoZeroes, BinaryPrimitives.ReadUInt16BigEndian(greeting.AsSpan(16)));
        var flags = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(flags, NbdProtocol.ClientFlagFixedNewstyle | NbdProtocol.ClientFlagNoZeroes);
        await stream.WriteAsync(flags);
        return stream;
    }

    private static async Task SendOptionAsync(NetworkStream stream, uint option, byte[] data)
    {
        var frame = new byte[16 + data.Length];
        BinaryPrimitives.WriteUInt64BigEndian(frame, NbdProtocol.IHaveOpt);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(8), option);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(12), (uint)data.Length);
        data.CopyTo(frame, 16);
        await stream.WriteAsync(frame);
    }

    private static async Task<(uint Option, uint Type, byte[] Data)> ReadOptionReplyAsync(NetworkStream stream)
    {
        var header = await ReadAsync(stream, 20);
        Assert.Equal(NbdProtocol.OptionReplyMagic, BinaryPrimitives.ReadUInt64BigEndian(header));
        var data = await ReadAsync(stream, (int)BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(16)));
        return (BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(8)), BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(12)), data);
    }

    private static async Task SendRequestAsync(NetworkStream stream, ushort type, ulong handle, ulong offset, uint length, byte[]? payload = null)
    {
        var frame = new byte[28 + (payload?.Length ?? 0)];
        BinaryPrimitives.WriteUInt32BigEndian(frame, NbdProtocol.RequestMagic);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(6), type);
        BinaryPrimitives.WriteUInt64BigEndian(frame.AsSpan(8), handle);
        BinaryPrimitives.WriteUInt64BigEndian(frame.AsSpan(16), offset);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(24), length);
        payload?.CopyTo(frame, 28);
        await stream.WriteAsync(frame);
    }

    private static async Task<byte[]> ReadAsync(NetworkStream stream, int count)
    {
        var buffer = new byte[count];
        await stream.ReadExactlyAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        return buffer;
    }

    private sealed class MemoryDisk(byte[] bytes) : IRandomAccessDisk
    {
        public long Length => bytes.Length;

        public DiskImageFormat Format => DiskImageFormat.Raw;

        public ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken ct)
        {
            var count = (int)Math.Min(buffer.Length, bytes.Length - offset);
            bytes.AsMemory((int)offset, count).CopyTo(buffer);
            return ValueTask.FromResult(count);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
