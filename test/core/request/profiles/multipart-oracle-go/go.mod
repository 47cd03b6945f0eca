module modelgate.test/multipart-oracle

go 1.24
