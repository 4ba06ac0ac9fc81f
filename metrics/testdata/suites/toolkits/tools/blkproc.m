function b = blkproc(a, blk, border, fun)
% MATLAB blkproc (removed from octave-image), written from its documented behaviour:
% A is padded with zeros to a whole number of blocks, each block (with a zero border of
% the given size) is passed to FUN, and the results are tiled. Only scalar results are used here.
m = blk(1); n = blk(2); mb = border(1); nb = border(2);
[M, N] = size(a);
mr = ceil(M/m); nc = ceil(N/n);
ap = zeros(mr*m + 2*mb, nc*n + 2*nb, class(a));
ap(mb+1:mb+M, nb+1:nb+N) = a;
b = [];
for i = 1:mr
  for j = 1:nc
    x = ap((i-1)*m + (1:m+2*mb), (j-1)*n + (1:n+2*nb));
    b(i,j) = fun(x);
  end
end
end
