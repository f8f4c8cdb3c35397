namespace MigrationPortal.Domain.Requests;

/// <summary>What moves. Compute is vMotion or KVM live migration; Storage is Storage vMotion or a KVM block copy.</summary>
public enum MigrationKind
{
    Compute,
    Storage,
    ComputeAndStorage,
    CrossPlatform,
}

public static class MigrationKindExtensions
{
    public static bool MovesCompute(this MigrationKind kind) => kind is MigrationKind.Compute or MigrationKind.ComputeAndStorage or MigrationKind.CrossPlatform;

    public static bool MovesStorage(this MigrationKind kind) => kind is MigrationKind.Storage or MigrationKind.ComputeAndStorage or MigrationKind.CrossPlatform;
}
