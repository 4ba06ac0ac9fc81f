pkg load image;
for n = {'mffw_01_A', 'mffw_01_CNN'}
  x = imread([n{1} '.jpg']); disp(size(x)); imwrite(x, [n{1} '_rgb.png']);
end
g = imread('/work/shared/oracle/metrics/inputs/original/temple_A.bmp'); disp(class(g)); disp(size(g));
c = g(209:304, 177:304);
imwrite(c, gray(256), 'temple_A.bmp');
imwrite(c, 'temple_A_gray.png');
b = imread('temple_A.bmp'); disp(size(b)); disp(isequal(b, c));
