namespace ReId.Storage.Tests;

/// <summary>Every test class shares one server: PGlite takes seconds to start.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresServerCollection : ICollectionFixture<PostgresServerFixture>
{
    public const string Name = "postgres";
}
