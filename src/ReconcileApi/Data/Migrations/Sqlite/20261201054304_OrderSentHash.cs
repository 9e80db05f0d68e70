using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ReconcileApi.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class OrderSentHash : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<byte[]>(
                name: "SentHash",
                table: "Orders",
                type: "BLOB",
                maxLength: 16,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Orders_WorkspaceId_Source_OrderId_SentHash",
                table: "Orders",
                columns: new[] { "WorkspaceId", "Source", "OrderId", "SentHash" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Orders_WorkspaceId_Source_OrderId_SentHash",
                table: "Orders");

            migrationBuilder.DropColumn(
                name: "SentHash",
                table: "Orders");
        }
    }
}
