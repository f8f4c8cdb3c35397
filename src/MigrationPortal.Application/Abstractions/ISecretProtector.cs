namespace MigrationPortal.Application.Abstractions;

/// <summary>Encrypts connection secrets at rest. The implementation uses Data Protection with its keys in the database, so every node can decrypt.</summary>
public interface ISecretProtector
{
    string Protect(string secret);

    string Unprotect(string protectedSecret);
}
