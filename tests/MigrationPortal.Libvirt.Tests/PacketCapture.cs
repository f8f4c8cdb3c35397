using System.Buffers.Binary;
using System.Diagnostics;

namespace MigrationPortal.Libvirt.Tests;

/// <summary>
/// tcpdump on host B's end of the lab's veth, keeping the first bytes of each packet to B's migration ports, and a
/// small pcap reader that returns the first payloads of each TCP connection: a TLS stream opens with a handshake
/// record (0x16 0x03 ...), QEMU's plaintext stream with its "QEVM" magic. The disk copy (NBD) negotiates in plaintext
/// first and upgrades with STARTTLS, so its handshake record comes a few payloads in.
/// </summary>
public sealed class PacketCapture : IAsyncDisposable
{
    private readonly Process _tcpdump;
    private readonly string _file;

    private PacketCapture(Process tcpdump, string file)
    {
        _tcpdump = tcpdump;
        _file = file;
    }

    public static async Task<PacketCapture> StartAsync(string netns, string device)
    {
        var file = Path.Combine(Path.GetTempPath(), $"mp-capture-{Guid.NewGuid():N}.pcap");
        var start = new ProcessStartInfo("ip") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "netns", "exec", netns, "tcpdump", "-i", device, "-U", "-n", "-s", "128", "-w", file, "tcp and dst portrange 49152-49215" })
            start.ArgumentList.Add(a);
        var process = Process.Start(start)!;
        var line = await process.StandardError.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10)); // "listening on mplab-b ..."
        if (line is null || !line.Contains("listening")) throw new InvalidOperationException($"tcpdump did not start: {line}");
        return new PacketCapture(process, file);
    }

    /// <summary>Stops the capture and returns, per TCP connection (by source port), the first few payloads.</summary>
    public async Task<IReadOnlyDictionary<int, List<byte[]>>> StopAsync()
    {
        await LibvirtLab.RunAsync("kill", ["-INT", _tcpdump.Id.ToString()], check: false);
        await _tcpdump.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        return FirstPayloads(await File.ReadAllBytesAsync(_file));
    }

    private const int PayloadsPerConnection = 4;

    private static Dictionary<int, List<byte[]>> FirstPayloads(byte[] pcap)
    {
        var first = new Dictionary<int, List<byte[]>>();
        if (pcap.Length < 24 || BinaryPrimitives.ReadUInt32LittleEndian(pcap) != 0xa1b2c3d4) throw new InvalidDataException("Not a little-endian pcap file.");
        var linkType = BinaryPrimitives.ReadUInt32LittleEndian(pcap.AsSpan(20));
        if (linkType != 1) throw new InvalidDataException($"Expected Ethernet frames, got link type {linkType}.");
        for (var at = 24; at + 16 <= pcap.Length;)
        {
            var captured = (int)BinaryPrimitives.ReadUInt32LittleEndian(pcap.AsSpan(at + 8));
            var packet = pcap.AsSpan(at + 16, Math.Min(captured, pcap.Length - at - 16));
            at += 16 + captured;
            if (packet.Length < 14 + 20 || BinaryPrimitives.ReadUInt16BigEndian(packet[12..]) != 0x0800) continue; // IPv4 only
            var ip = packet[14..];
            var ipHeader = (ip[0] & 0x0f) * 4;
            if (ip[9] != 6 || ip.Length < ipHeader + 20) continue;
            var tcp = ip[ipHeader..];
            var sourcePort = BinaryPrimitives.ReadUInt16BigEndian(tcp);
            var tcpHeader = (tcp[12] >> 4) * 4;
            var totalLength = BinaryPrimitives.ReadUInt16BigEndian(ip[2..]);
            var payloadLength = totalLength - ipHeader - tcpHeader;
            if (payloadLength <= 0 || tcp.Length <= tcpHeader) continue;
            if (!first.TryGetValue(sourcePort, out var payloads)) first[sourcePort] = payloads = [];
            if (payloads.Count < PayloadsPerConnection) payloads.Add(tcp[tcpHeader..Math.Min(tcp.Length, tcpHeader + payloadLength)].ToArray());
        }

        return first;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_tcpdump.HasExited) _tcpdump.Kill();
        await _tcpdump.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        _tcpdump.Dispose();
        File.Delete(_file);
    }
}
