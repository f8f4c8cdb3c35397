namespace MigrationPortal.Infrastructure.Conversion;

/// <summary>
/// The numbers of the NBD protocol's fixed newstyle handshake and its transmission phase with simple replies, as the
/// protocol document (github.com/NetworkBlockDevice/nbd, doc/proto.md) defines them. Only what the converter's servers use.
/// </summary>
internal static class NbdProtocol
{
    public const ulong NbdMagic = 0x4e42444d41474943;          // "NBDMAGIC"
    public const ulong IHaveOpt = 0x49484156454F5054;          // "IHAVEOPT"
    public const ulong OptionReplyMagic = 0x0003e889045565a9;
    public const uint RequestMagic = 0x25609513;
    public const uint SimpleReplyMagic = 0x67446698;

    // Handshake flags (server) and client flags.
    public const ushort FlagFixedNewstyle = 1 << 0;
    public const ushort FlagNoZeroes = 1 << 1;
    public const uint ClientFlagFixedNewstyle = 1 << 0;
    public const uint ClientFlagNoZeroes = 1 << 1;

    // Options.
    public const uint OptExportName = 1;
    public const uint OptAbort = 2;
    public const uint OptInfo = 6;
    public const uint OptGo = 7;

    // Option replies.
    public const uint RepAck = 1;
    public const uint RepInfo = 3;
    public const uint RepErrUnsupported = 0x80000001;
    public const uint RepErrInvalid = 0x80000003;
    public const uint RepErrUnknown = 0x80000006;
    public const uint RepErrTooBig = 0x80000009;

    // NBD_REP_INFO types.
    public const ushort InfoExport = 0;
    public const ushort InfoBlockSize = 3;

    // Transmission flags.
    public const ushort TxHasFlags = 1 << 0;
    public const ushort TxReadOnly = 1 << 1;
    public const ushort TxSendFlush = 1 << 2;
    public const ushort TxSendTrim = 1 << 5;
    public const ushort TxSendWriteZeroes = 1 << 6;

    // Commands.
    public const ushort CmdRead = 0;
    public const ushort CmdWrite = 1;
    public const ushort CmdDisconnect = 2;
    public const ushort CmdFlush = 3;
    public const ushort CmdTrim = 4;
    public const ushort CmdWriteZeroes = 6;

    // Errors (the protocol's values, which are Linux's errno numbers).
    public const uint EPERM = 1;
    public const uint EIO = 5;
    public const uint EINVAL = 22;
    public const uint ENOSPC = 28;
    public const uint EOVERFLOW = 75;
    public const uint ESHUTDOWN = 108;

    /// <summary>The largest payload a request may carry (QEMU's own NBD limit, 32 MiB); advertised as the maximum block size.</summary>
    public const int MaxPayload = 32 * 1024 * 1024;

    /// <summary>The block size advertised as preferred: a page, so qemu-img never needs a read-modify-write.</summary>
    public const int PreferredBlockSize = 4096;

    /// <summary>Options longer than this are refused without being read into memory (GO and INFO carry a name and a few codes).</summary>
    public const int MaxOptionLength = 64 * 1024;
}
