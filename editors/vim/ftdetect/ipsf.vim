" *.ipsf files are IoT-SSF rule packs (editors/vim/syntax/ipsf.vim)
autocmd BufRead,BufNewFile *.ipsf setfiletype ipsf
