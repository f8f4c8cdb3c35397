namespace MigrationPortal.Infrastructure.Persistence;

/// <summary>
/// The single row that records the chain's last sequence and hash. Appending updates it first, in the same transaction,
/// so concurrent writers on any node queue on its row lock and can never fork the chain.
/// </summary>
public sealed class AuditChainHead
{
    public const int SingletonId = 1;

    public int Id { get; set; } = SingletonId;
    public long LastSequence { get; set; }
    public string LastHash { get; set; } = MigrationPortal.Domain.Audit.AuditChain.GenesisHash;
}
